import ProctorDatabaseTestSupport
import Foundation
import ProctorTestSupport
import ProctorPostgres

#if canImport(Glibc)
import Glibc
#endif

/// Seeds the service's tables and a media folder the way the service stores evidence.
///
/// Photos from fixtures/photos are hard-linked (copied when linking fails) under generated names in
/// `cheating_images/`. Bad data is what old stores hold: a row whose file is missing, a truncated JPEG,
/// a text file named .jpg, and an image whose event was deleted. The schema's foreign key forbids the
/// last one, so it is made the way such rows arise in practice: the event is deleted with
/// `session_replication_role = replica`, which skips FK triggers like a data-only restore or a
/// replica-side cleanup does; the test schema stays exactly the service's.
struct StoredEvidence {
    /// The test's own temporary directory: the media root is its `media` folder; other files go beside it.
    let directory: TemporaryDirectory
    let media: String
    private(set) var studentID: Int64

    init(database: ServiceDatabase) throws {
        directory = try TemporaryDirectory()
        media = directory.path("media")
        try FileManager.default.createDirectory(atPath: media + "/cheating_images", withIntermediateDirectories: true)
        studentID = 0
        let db = try database.connect()
        defer { db.close() }
        studentID = Int64(
            try db.execute(
                "INSERT INTO proctoring_student (clerk_id, name, email, photo, \"timestamp\") VALUES ('clerk-1', 'A', 'a@x.test', $1, now()) RETURNING id",
                [try place("zidane.jpg", as: "students/a.jpg")]
            ).scalar ?? "") ?? 0
    }

    /// Puts a fixture photo at `relative` under the media root; returns the stored name.
    @discardableResult
    func place(_ photo: String, as relative: String) throws -> String {
        let target = (media as NSString).appendingPathComponent(relative)
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if link(TestAssets.photo(photo), target) != 0 { try FileManager.default.copyItem(atPath: TestAssets.photo(photo), toPath: target) }
        return relative
    }

    /// Writes raw bytes at `relative`.
    @discardableResult
    func write(_ bytes: Data, as relative: String) throws -> String {
        try bytes.write(to: URL(fileURLWithPath: (media as NSString).appendingPathComponent(relative)))
        return relative
    }

    /// An event with one image row; returns the image id.
    @discardableResult
    func event(_ type: String, image: String, in db: PostgresConnection, at time: String = "2024-05-01T10:00:00Z") throws -> Int64 {
        let event = try db.execute(
            """
            INSERT INTO proctoring_cheatingevent (student_id, cheating_flag, event_type, "timestamp", detected_objects, tab_switch_count)
            VALUES ($1, true, $2, $3::timestamptz, '[]', 0) RETURNING id
            """, ["\(studentID)", type, time]
        ).scalar
        return Int64(
            try db.execute(
                "INSERT INTO proctoring_cheatingimage (event_id, image, \"timestamp\") VALUES ($1, $2, $3::timestamptz) RETURNING id",
                [event, image, time]
            ).scalar ?? "") ?? 0
    }

    /// Deletes an image's event, leaving the image row behind (see the type's comment).
    func deleteEvent(ofImage id: Int64, in db: PostgresConnection) throws {
        try db.transaction { () throws(PostgresError) in
            try db.execute("SET LOCAL session_replication_role = replica")
            try db.execute("DELETE FROM proctoring_cheatingevent WHERE id = (SELECT event_id FROM proctoring_cheatingimage WHERE id = $1)", ["\(id)"])
        }
    }

    /// `count` images of the fixture photos repeated under generated names, as phone_detected events.
    func seedRepeated(_ count: Int, in db: PostgresConnection) throws {
        let photos = ["zidane.jpg", "phone.jpg", "bus.jpg", "person.jpg", "keliamoniz1.jpg", "lfd_ios_test.jpg", "phone2.jpg"]
        let types = ["multiple_faces", "phone_detected", "extra_person", "object_detected", "looking_away", "face_absent", "phone_detected"]
        for index in 0..<count {
            let name = try place(photos[index % photos.count], as: "cheating_images/violation_\(UUID().uuidString.lowercased()).jpg")
            try event(types[index % types.count], image: name, in: db)
        }
    }
}
