/// Where and how the Postgres sink writes.
public struct PostgresConfiguration: Sendable, Hashable {
    /// A libpq URL or key=value string; may hold a password, so it is never printed as is.
    public var url: String
    /// The service's MEDIA_ROOT; evidence goes to `cheating_images/` below it.
    public var mediaRoot: String
    public var connectTimeout: Int
    /// Milliseconds any one statement may take.
    public var statementTimeout: Int

    public init(url: String, mediaRoot: String, connectTimeout: Int = 5, statementTimeout: Int = 10_000) {
        self.url = url
        self.mediaRoot = mediaRoot
        self.connectTimeout = connectTimeout
        self.statementTimeout = statementTimeout
    }
}
