import Foundation

/// How to reach the proctoring service's REST API.
public struct APIConfiguration: Sendable, Hashable {
    /// The service root; `/api/...` paths are appended to it.
    public var baseURL: URL
    /// Sent as `Authorization: Bearer <token>`; never logged.
    public var token: String?
    /// Extra headers for every request (e.g. a gateway's key); values are never logged.
    public var headers: [String: String]
    /// Seconds a request may go without progress before it counts as a transient failure.
    public var timeout: Double
    /// Evidence is downscaled to this long side and re-encoded at `evidenceQuality` before upload.
    public var maxEvidenceSide: Int
    public var evidenceQuality: Int

    public init(
        baseURL: URL, token: String? = nil, headers: [String: String] = [:], timeout: Double = 10,
        maxEvidenceSide: Int = 1280, evidenceQuality: Int = 80
    ) {
        self.baseURL = baseURL
        self.token = token
        self.headers = headers
        self.timeout = timeout
        self.maxEvidenceSide = maxEvidenceSide
        self.evidenceQuality = evidenceQuality
    }

    /// Parses `--api-url`; only http and https with a host are accepted.
    public static func baseURL(from text: String) -> URL? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host != nil
        else { return nil }
        return url
    }
}
