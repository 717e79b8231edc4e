import Foundation
import Logging
import ProctorAgent
import ProctorCore
import ProctorDelivery
import ProctorPostgres
import ProctorReanalysis
import ProctorVision

/// Where the monitor's reference face comes from: `--reference PHOTO`, else the student's
/// registration photo in the service's database (with `--database-url` and `--media-root`), else none.
enum MonitorIdentity {
    /// The identity settings for this run, or nil to run without identity checks (said once in the log).
    /// A `--reference` photo without exactly one clear face is a usage error (64); a registration photo
    /// that cannot serve only turns identity checks off, since the operator cannot fix it from here.
    static func settings(
        reference: String?, student: String, delivery: DeliveryOptions, factory: VisionPipelineFactory, locator: ModelLocator,
        settings: MonitorSettings, logger: Logger
    ) throws -> IdentitySettings? {
        let policy = settings.rules.identity
        let minFaceScore = settings.rules.policy.minFaceScore
        if let reference {
            let identity = try ReferencePhoto.settings(
                path: reference, factory: factory, locator: locator, policy: policy, minFaceScore: minFaceScore, scope: .candidate,
                recheckMatchEvery: settings.identityEvery)
            logger.notice("identity checks on", metadata: ["reference": "\(reference)"])
            return identity
        }
        guard let url = delivery.effectiveDatabaseURL, let mediaRoot = delivery.mediaRoot else { return nil }
        let shown = Redaction.redact(url)
        let lookup: RegistrationPhoto.Lookup
        do {
            let db = try PostgresConnection(url: url)
            defer { db.close() }
            lookup = try RegistrationPhoto.lookup(db, clerkID: student, mediaRoot: mediaRoot)
        } catch {
            logger.warning("no identity checks: cannot read the registration photo", metadata: ["database": "\(shown)", "error": "\(error)"])
            return nil
        }
        switch lookup {
        case .none:
            logger.warning("no identity checks: student \(student) has no registration photo")
            return nil
        case .unsafePath(let stored):
            logger.warning("no identity checks: the registration photo's stored path is outside the media root", metadata: ["photo": "\(stored)"])
            return nil
        case .photo(let path):
            do {
                let reference = try ReferenceFace.load(path: path, factory: factory, policy: policy, minFaceScore: minFaceScore, locator: locator)
                logger.notice("identity checks on", metadata: ["reference": "\(path)"])
                return try ReferencePhoto.settings(
                    reference: reference, locator: locator, policy: policy, minFaceScore: minFaceScore, scope: .candidate,
                recheckMatchEvery: settings.identityEvery)
            } catch let error as ReferenceError where error.kind == .unusablePhoto {
                logger.warning("no identity checks: \(error.message)")
                return nil
            } catch let error as ReferenceError {
                throw ReferencePhoto.failure(error)
            }
        }
    }
}
