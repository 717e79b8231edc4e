import Foundation
import ProctorImaging
import ProctorPostgres

/// The registered student's photo as the service stores it (`proctoring_student.photo`, a name
/// relative to the media root): the reference the identity checks compare faces with.
public enum RegistrationPhoto {
    /// Where a student's registration photo stands.
    public enum Lookup: Sendable, Hashable {
        /// The photo's absolute path under the media root.
        case photo(String)
        /// The student has no row, or the row has no photo.
        case none
        /// The stored name is absolute or climbs out of the media root.
        case unsafePath(String)
    }

    /// Finds the photo of the student with this clerk id (the platform's student id).
    public static func lookup(_ db: PostgresConnection, clerkID: String, mediaRoot: String) throws(PostgresError) -> Lookup {
        let rows = try db.execute(
            "SELECT coalesce(photo, '') FROM proctoring_student WHERE clerk_id = $1 ORDER BY id LIMIT 1", [clerkID]
        ).rows
        guard let stored = rows.first?.first ?? nil, !stored.isEmpty else { return .none }
        guard let path = MediaRoot(path: mediaRoot).path(for: stored) else { return .unsafePath(stored) }
        return .photo(path)
    }
}
