import ArgumentParser
import Foundation

/// Errors that end a command, each with its own exit status (sysexits.h values).
enum Failure: Error, CustomStringConvertible {
    /// Missing or broken models, unreadable configuration: EX_CONFIG (78).
    case configuration(String)
    /// A service or database could not be reached: EX_UNAVAILABLE (69).
    case unavailable(String)
    /// A device or file could not be opened: EX_NOINPUT (66).
    case noInput(String)
    /// The results could not be written (a full disk, a closed pipe): EX_IOERR (74).
    case output(String)
    /// A wrong argument found only while running (e.g. a reference photo without one clear face): EX_USAGE (64).
    case usage(String)

    var description: String {
        switch self {
        case .configuration(let message), .unavailable(let message), .noInput(let message), .output(let message),
            .usage(let message):
            message
        }
    }

    var exitCode: Int32 {
        switch self {
        case .configuration: 78
        case .unavailable: 69
        case .noInput: 66
        case .output: 74
        case .usage: 64
        }
    }
}

