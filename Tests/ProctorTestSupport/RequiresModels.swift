import Testing

/// Marks a suite or test that needs the models and photos `scripts/setup` installs. Without them each
/// of its tests fails with the reason instead of being skipped: CI always has them, so a skip would
/// only hide a broken setup.
public struct RequiresModels: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // The suite itself runs no code of its own: each of its test cases checks.
        if testCase != nil {
            try #require(TestAssets.modelsAvailable, Comment(rawValue: TestAssets.missingModelsMessage))
        }
        try await function()
    }
}

extension Trait where Self == RequiresModels {
    /// See ``RequiresModels``.
    public static var requiresModels: Self { RequiresModels() }
}
