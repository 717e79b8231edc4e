import Foundation

/// Expands command-line inputs into a list of image paths.
///
/// A file is taken as is (even with an unusual extension: the decoder decides); a directory contributes
/// its image files (recursively with `recursive`), sorted by name; `-` reads one path per line from stdin.
enum InputPaths {
    static let imageExtensions: Set<String> = [
        "jpg", "jpeg", "jpe", "png", "bmp", "dib", "tif", "tiff", "webp", "pbm", "pgm", "ppm", "pnm", "pxm", "sr", "ras",
        "exr", "hdr", "pic", "jp2",
    ]

    static func expand(_ inputs: [String], recursive: Bool) -> [String] {
        var result: [String] = []
        for input in inputs {
            if input == "-" {
                while let line = readLine() {
                    let path = line.trimmingCharacters(in: .whitespaces)
                    if !path.isEmpty { result.append(path) }
                }
                continue
            }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory), isDirectory.boolValue {
                result.append(contentsOf: images(in: input, recursive: recursive))
            } else {
                result.append(input)  // missing files become error lines, not a failed run
            }
        }
        return result
    }

    static func images(in directory: String, recursive: Bool) -> [String] {
        let base = URL(fileURLWithPath: directory)
        var found: [String] = []
        if recursive {
            guard let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else {
                return []
            }
            for case let url as URL in enumerator where imageExtensions.contains(url.pathExtension.lowercased()) {
                found.append(join(directory, String(url.path.dropFirst(base.path.count)).trimmingPrefix("/")))
            }
        } else {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for name in names where imageExtensions.contains((name as NSString).pathExtension.lowercased()) {
                found.append(join(directory, name))
            }
        }
        return found.sorted { $0.localizedStandardCompare($1) == .orderedAscending }
    }

    private static func join(_ directory: String, _ name: some StringProtocol) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
