import Foundation
import ProctorCore

#if canImport(Glibc)
import Glibc
#endif

/// Where the monitor's settings come from and which source set each value: defaults, a JSON file
/// (`--config`, else `$XDG_CONFIG_HOME/proctor-vision/config.json`, else `/etc/proctor-vision/config.json`),
/// `PROCTOR_*` environment variables, command-line flags (highest).
///
/// The file is strict: a key the settings do not have is an error naming it (dotted, nested too) and the
/// file, so a typo never silently keeps a default. The file is merged key by key into the defaults, so
/// `{"rules":{"faceAbsent":{"openAfter":10}}}` changes one number and keeps the rule's severity and
/// escalation; only an explicit `"escalation": null` removes an escalation.
public struct SettingsSources: Sendable {
    public var settings: MonitorSettings
    /// The config file read, if any.
    public var file: String?
    /// Dotted setting path -> "default", "file", "env PROCTOR_X" or "flag --x", for every leaf value.
    public var origins: [(path: String, value: String, source: String)]

    /// The largest config file read: real ones are a few hundred bytes.
    public static let maxFileBytes = 1 << 20

    /// Environment variables and the setting each one sets.
    public static let environmentKeys: [(variable: String, path: String)] = [
        ("PROCTOR_FPS", "fps"), ("PROCTOR_FACE_SIDE", "faceSide"), ("PROCTOR_OBJECT_SIZE", "objectSize"),
        ("PROCTOR_OBJECT_EVERY", "objectEvery"), ("PROCTOR_RETENTION_DAYS", "retentionDays"), ("PROCTOR_ENGINE", "engine"),
    ]

    /// The config file used when none is given: the first of these that exists.
    public static func defaultFiles(environment: [String: String]) -> [String] {
        var result: [String] = []
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            result.append((xdg as NSString).appendingPathComponent("proctor-vision/config.json"))
        } else if let home = environment["HOME"], !home.isEmpty {
            result.append((home as NSString).appendingPathComponent(".config/proctor-vision/config.json"))
        }
        result.append("/etc/proctor-vision/config.json")
        return result
    }

    /// Resolves every source; a one-line error names the file, key or variable at fault.
    /// - Parameter fps: the `--fps` flag, when given.
    public static func resolve(configFile: String?, environment: [String: String], fps: Double? = nil) throws -> SettingsSources {
        let file = configFile ?? defaultFiles(environment: environment).first { FileManager.default.fileExists(atPath: $0) }
        let defaults = try jsonObject(MonitorSettings())
        var merged = defaults
        var fromFile: [String: Any] = [:]
        var settings = MonitorSettings()
        if let file {
            fromFile = try readObject(file)
            try checkKeys(fromFile, against: defaults, path: [], file: file)
            merged = merge(fromFile, into: defaults)
            do {
                let data = try JSONSerialization.data(withJSONObject: merged)
                settings = try JSONDecoder().decode(MonitorSettings.self, from: data)
            } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
                throw SettingsError("config \(file): wrong type at \(dotted(context.codingPath.map(\.stringValue)))")
            } catch let DecodingError.dataCorrupted(context) {
                throw SettingsError("config \(file): bad value at \(dotted(context.codingPath.map(\.stringValue))): \(context.debugDescription)")
            } catch let DecodingError.keyNotFound(key, context) {
                throw SettingsError("config \(file): \(dotted(context.codingPath.map(\.stringValue) + [key.stringValue])) must not be null")
            } catch {
                throw SettingsError("config \(file): \(error)")
            }
            try settings.validate(source: "config \(file)")
        }
        try settings.apply(environment: environment)
        if let fps { settings.fps = fps }
        try settings.validate()

        var sources: [String: String] = [:]
        for path in leaves(fromFile).map(\.path) { sources[path] = "file \(file ?? "")" }
        for (variable, path) in environmentKeys where !(environment[variable] ?? "").isEmpty { sources[path] = "env \(variable)" }
        if fps != nil { sources["fps"] = "flag --fps" }
        let effective = try jsonObject(settings)
        let origins = leaves(effective).map { leaf in (leaf.path, leaf.value, sources[leaf.path] ?? "default") }
        return SettingsSources(settings: settings, file: file, origins: origins)
    }

    static func jsonObject(_ settings: MonitorSettings) throws -> [String: Any] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(settings)
        return (try JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    static func readObject(_ file: String) throws -> [String: Any] {
        var info = stat()
        guard stat(file, &info) == 0 else { throw SettingsError("cannot read config \(file): \(String(cString: strerror(errno)))") }
        // A FIFO or device would block or never end.
        guard info.st_mode & S_IFMT == S_IFREG else { throw SettingsError("config \(file): not a regular file") }
        guard info.st_size <= maxFileBytes else { throw SettingsError("config \(file): larger than \(maxFileBytes) bytes") }
        guard let handle = FileHandle(forReadingAtPath: file), let data = try? handle.read(upToCount: maxFileBytes + 1) else {
            throw SettingsError("cannot read config \(file)")
        }
        try? handle.close()
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw SettingsError("config \(file): invalid JSON (\((error as NSError).localizedDescription))")
        }
        guard let object = parsed as? [String: Any] else { throw SettingsError("config \(file): the top level must be a JSON object") }
        return object
    }

    /// Every key of `given` must exist in `known`; a rule may add an `escalation` its default lacks.
    static func checkKeys(_ given: [String: Any], against known: [String: Any], path: [String], file: String) throws {
        for (key, value) in given.sorted(by: { $0.key < $1.key }) {
            let here = path + [key]
            if path.last == "eventTypes" {
                guard EpisodeType(rawValue: key) != nil else { throw unknown(here, file) }
                continue
            }
            var expected = known[key]
            if expected == nil, key == "escalation", known["openAfter"] != nil { expected = ["after": 0, "severity": "high"] }
            guard let expected else { throw unknown(here, file) }
            if let nested = value as? [String: Any], let nestedKnown = expected as? [String: Any] {
                try checkKeys(nested, against: nestedKnown, path: here, file: file)
            }
        }
    }

    static func unknown(_ path: [String], _ file: String) -> SettingsError {
        SettingsError("config \(file): unknown key \(dotted(path))")
    }

    /// `given` over `base`, object by object; JSON null removes the key (an optional setting turned off).
    static func merge(_ given: [String: Any], into base: [String: Any]) -> [String: Any] {
        var result = base
        for (key, value) in given {
            if value is NSNull {
                result[key] = nil
            } else if let nested = value as? [String: Any], let nestedBase = base[key] as? [String: Any] {
                result[key] = merge(nested, into: nestedBase)
            } else {
                result[key] = value
            }
        }
        return result
    }

    /// Leaf values by dotted path, sorted.
    static func leaves(_ object: [String: Any], prefix: [String] = []) -> [(path: String, value: String)] {
        var result: [(path: String, value: String)] = []
        for key in object.keys.sorted() {
            let path = prefix + [key]
            if let nested = object[key] as? [String: Any], !nested.isEmpty {
                result += leaves(nested, prefix: path)
            } else if let value = object[key] {
                result.append((dotted(path), describe(value)))
            }
        }
        return result
    }

    static func describe(_ value: Any) -> String {
        if let text = value as? String { return text }
        if value is NSNull { return "null" }
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) {
            return String(decoding: data, as: UTF8.self)
        }
        return "\(value)"
    }

    static func dotted(_ path: [String]) -> String { path.isEmpty ? "top level" : path.joined(separator: ".") }
}
