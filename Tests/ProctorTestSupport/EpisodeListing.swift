import Foundation

/// The episodes `proctor episodes --outbox PATH --format json` lists, one dictionary each.
public enum EpisodeListing {
    public struct Failure: Error, CustomStringConvertible {
        public let status: Int32
        public let stderr: String
        public var description: String { "proctor episodes exited \(status), or printed no JSON list: \(stderr)" }
    }

    /// The listing; throws when the command fails or its output is not a JSON list.
    public static func episodes(_ proctor: String, outbox: String) throws -> [[String: Any]] {
        let result = try CommandRunner.run(proctor, ["episodes", "--outbox", outbox, "--format", "json"])
        guard result.status == 0, let listed = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        else { throw Failure(status: result.status, stderr: result.stderr) }
        return listed
    }

    /// The listing while a monitor may still be creating or writing the outbox: empty until the file
    /// exists and whenever it cannot be read yet.
    public static func episodesSoFar(_ proctor: String, outbox: String) -> [[String: Any]] {
        guard FileManager.default.fileExists(atPath: outbox) else { return [] }
        return (try? episodes(proctor, outbox: outbox)) ?? []
    }

    /// Polls the listing (every 0.5 s: each poll is a `proctor` process, up to `seconds`) until `condition` holds for it or `stopWaiting`
    /// says to give up (the monitor ended, say); the last listing seen.
    public static func wait(
        _ proctor: String, outbox: String, within seconds: Double, stopWaiting: () -> Bool = { false },
        until condition: ([[String: Any]]) -> Bool = { !$0.isEmpty }
    ) -> [[String: Any]] {
        var listed: [[String: Any]] = []
        _ = RunningCommand.eventually(within: seconds, every: 0.5) {
            listed = episodesSoFar(proctor, outbox: outbox)
            return condition(listed) || stopWaiting()
        }
        return listed
    }
}
