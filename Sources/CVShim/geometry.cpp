// Pose from 2-D/3-D correspondences.
#include "guard.hpp"

#include <opencv2/calib3d.hpp>

#include <vector>

using pvshim::fail;
using pvshim::guarded;

extern "C" {

int pv_solve_pnp(const double *object_points, const double *image_points, int count, double fx, double fy,
                 double cx, double cy, double *rvec, double *tvec, double *rotation, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        if (count < 4) return fail(err, errcap, "solvePnP needs at least 4 points");
        std::vector<cv::Point3d> object;
        std::vector<cv::Point2d> projected;
        for (int i = 0; i < count; ++i) {
            object.emplace_back(object_points[3 * i], object_points[3 * i + 1], object_points[3 * i + 2]);
            projected.emplace_back(image_points[2 * i], image_points[2 * i + 1]);
        }
        cv::Matx33d camera(fx, 0, cx, 0, fy, cy, 0, 0, 1);
        cv::Mat r(3, 1, CV_64F), t(3, 1, CV_64F);
        for (int i = 0; i < 3; ++i) {
            r.at<double>(i) = rvec[i];
            t.at<double>(i) = tvec[i];
        }
        bool ok = cv::solvePnP(object, projected, camera, cv::noArray(), r, t, true, cv::SOLVEPNP_ITERATIVE);
        if (!ok) return fail(err, errcap, "solvePnP did not converge");
        cv::Mat R;
        cv::Rodrigues(r, R);
        for (int i = 0; i < 3; ++i) {
            rvec[i] = r.at<double>(i);
            tvec[i] = t.at<double>(i);
        }
        for (int i = 0; i < 9; ++i) rotation[i] = R.at<double>(i / 3, i % 3);
        return 0;
    });
}

}
