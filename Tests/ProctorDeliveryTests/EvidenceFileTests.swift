import Foundation
import ProctorDatabaseTestSupport
import ProctorDelivery
import ProctorImaging
import ProctorOutbox
import ProctorPostgres
import ProctorTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Biometric evidence never sits in the media root without the row that points at it, and a killed
/// writer's temporary files are swept. The real PostgreSQL of scripts/with-postgres.
@Suite(.serialized) struct EvidenceFileTests {
    /// Everything in the media root's image directory (temporary files included).
    private func files(_ media: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: media + "/cheating_images")) ?? []).sorted()
    }

    private func shipment(student: String, in directory: TemporaryDirectory) throws -> Shipment {
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, perSession: 1)
        let episode = try #require(try outbox.episode(id: ids[0]))
        return Shipment(episode: episode, studentID: student, examID: "e", evidenceJPEG: DeliveryFixture.photo)
    }

    private func media(in directory: TemporaryDirectory) throws -> String {
        let media = directory.path("media")
        try FileManager.default.createDirectory(atPath: media, withIntermediateDirectories: true)
        return media
    }

    @Test func aRejectedTransactionLeavesNoEvidenceFile() throws {
        let database = try TestDatabase()
        let directory = try TemporaryDirectory()
        let media = try media(in: directory)
        let sink = PostgresSink(configuration: PostgresConfiguration(url: database.url, mediaRoot: media))
        // Unique email clash: another student already has the email this one would get.
        _ = try database.query(
            """
            INSERT INTO proctoring_student (clerk_id, name, email, photo, "timestamp")
            VALUES ('someone-else', 'Other', 'user_clash@student.local', '', now())
            """)
        #expect(throws: DeliveryFailure.self) { try sink.deliver(try shipment(student: "user_clash", in: directory)) }
        // 254-character overflow: the derived email is longer than the column.
        let long = String(repeating: "x", count: 250)
        #expect(throws: DeliveryFailure.self) { try sink.deliver(try shipment(student: long, in: directory)) }
        #expect(try database.count("SELECT count(*) FROM proctoring_cheatingimage") == 0)
        #expect(files(media) == [], "left: \(files(media))")

        // The same sink still delivers, and then the file is there.
        let good = try shipment(student: "user_ok", in: directory)
        _ = try sink.deliver(good)
        #expect(files(media) == [(PostgresSink.imagePath(for: good.episode.id) as NSString).lastPathComponent])
    }

    @Test func anUnreachableDatabaseLeavesNoEvidenceFile() throws {
        let directory = try TemporaryDirectory()
        let media = try media(in: directory)
        let sink = PostgresSink(
            configuration: PostgresConfiguration(url: "postgresql://proctor@127.0.0.1:9/none", mediaRoot: media, connectTimeout: 2))
        #expect(throws: DeliveryFailure.self) { try sink.deliver(try shipment(student: "user_1", in: directory)) }
        #expect(files(media) == [], "left: \(files(media))")
    }

    @Test func staleTemporaryFilesAreSweptAndFreshOnesKept() throws {
        let directory = try TemporaryDirectory()
        let media = try media(in: directory)
        let images = media + "/cheating_images"
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        let stale = ".violation_0b1c.jpg.4242.123456.tmp"
        let fresh = ".violation_9f8e.jpg.4343.654321.tmp"
        let unrelated = ".violation_notes.tmp"
        for name in [stale, fresh, unrelated, "violation_kept.jpg"] {
            #expect(FileManager.default.createFile(atPath: images + "/" + name, contents: Data([0xFF, 0xD8])))
        }
        // Last modified two hours ago: what a writer killed mid-delivery leaves.
        var times = [timespec(tv_sec: time(nil) - 7_200, tv_nsec: 0), timespec(tv_sec: time(nil) - 7_200, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, images + "/" + stale, &times, 0) == 0)
        #expect(utimensat(AT_FDCWD, images + "/" + unrelated, &times, 0) == 0)
        let swept = MediaRoot(path: media).sweepStaleTemporaryFiles()
        #expect(swept == [stale])
        #expect(files(media) == [fresh, unrelated, "violation_kept.jpg"].sorted())
    }
}
