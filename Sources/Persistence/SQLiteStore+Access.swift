import ControlPlane
import Foundation
import GRDB
import NovaCore

extension SQLiteStore {
    public func insertKey(_ record: APIKeyRecord) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO api_keys (id, name, role, key_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [record.id, record.name, record.roleName, record.keyHash, Timestamp.milliseconds(record.createdAt), record.createdBy])
        }
    }

    public func key(id: String) async throws -> APIKeyRecord? {
        try readNow { db in try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE id = ?", arguments: [id]).map(Self.keyRecord) }
    }

    public func keys() async throws -> [APIKeyRecord] {
        try readNow { db in try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY created_at, id").map(Self.keyRecord) }
    }

    public func revokeKey(id: String, at time: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ?", arguments: [Timestamp.milliseconds(time), id])
            return db.changesCount > 0
        }
    }

    public func customRoles() async throws -> [Role] {
        try readNow { db in
            try String.fetchAll(db, sql: "SELECT document FROM roles ORDER BY name").compactMap { Role(storedValue: try Value(json: $0)) }
        }
    }

    public func saveRole(_ role: Role) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO roles (name, document) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET document = excluded.document",
                arguments: [role.name, role.value.canonicalJSON])
        }
    }

    public func deleteRole(named name: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM roles WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    static func keyRecord(_ row: Row) -> APIKeyRecord {
        let revoked: Int64? = row["revoked_at"]
        return APIKeyRecord(
            id: row["id"], name: row["name"], roleName: row["role"], keyHash: row["key_hash"],
            createdAt: Timestamp.date(milliseconds: row["created_at"]), createdBy: row["created_by"],
            revokedAt: revoked.map(Timestamp.date(milliseconds:)))
    }
}
