import Foundation
import NovaCore

/// A stored API key: never the key itself, only its hash.
public struct APIKeyRecord: Sendable, Hashable {
    public var id: String
    public var name: String
    public var roleName: String
    public var keyHash: String
    public var createdAt: Date
    public var createdBy: String
    public var revokedAt: Date?

    public init(id: String, name: String, roleName: String, keyHash: String, createdAt: Date, createdBy: String, revokedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.roleName = roleName
        self.keyHash = keyHash
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.revokedAt = revokedAt
    }

    public var value: Value {
        var fields: [String: Value] = [
            "id": .string(id), "name": .string(name), "role": .string(roleName),
            "createdAt": .string(Timestamp.format(createdAt)), "createdBy": .string(createdBy),
        ]
        if let revokedAt { fields["revokedAt"] = .string(Timestamp.format(revokedAt)) }
        return .object(fields)
    }
}

/// API keys and custom roles.
public protocol AccessStore: Sendable {
    func insertKey(_ record: APIKeyRecord) async throws
    func key(id: String) async throws -> APIKeyRecord?
    func keys() async throws -> [APIKeyRecord]
    /// Marks a key revoked; false if there is no such key.
    func revokeKey(id: String, at time: Date) async throws -> Bool

    func customRoles() async throws -> [Role]
    func saveRole(_ role: Role) async throws
    /// False if there is no such role.
    func deleteRole(named name: String) async throws -> Bool
}
