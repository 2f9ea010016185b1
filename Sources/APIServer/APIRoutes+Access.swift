import ControlPlane
import Hummingbird
import NovaCore

extension APIRoutes {
    var accessRoutes: [APIRoute] {
        let cp = controlPlane
        return [
            APIRoute(
                method: .get, path: "/v1/apikeys", operationId: "listAPIKeys", summary: "List API keys (never their secrets)", tag: "Access",
                success: (200, "Keys", "APIKeyList"), errorStatuses: [401, 403]
            ) { _, context in
                let keys = try await cp.listAPIKeys(as: try context.requirePrincipal())
                return APIResponse.json(["items": .array(keys.map(\.value))])
            },
            APIRoute(
                method: .post, path: "/v1/apikeys", operationId: "createAPIKey",
                summary: "Create an API key; its secret is in this response only", tag: "Access",
                requestSchema: "APIKeyRequest", success: (201, "The key, with its secret", "APIKeyCreated"),
                errorStatuses: [400, 401, 403, 422], permission: .verb(.create, "apikeys")
            ) { request, context in
                let body = try await RequestBody.document(of: request, context: context)
                var reader = ObjectReader(body, at: "")
                let name = reader.string("name", required: true)
                let role = reader.string("role", required: true)
                let problems = reader.finish()
                guard problems.isEmpty, let name, let role else { throw NovaError.validation(problems, subject: "the API key request") }
                let issued = try await cp.createAPIKey(name: name, roleName: role, as: try context.requirePrincipal())
                return APIResponse.json(issued.record.value.setting("key", to: .string(issued.secret)), status: .created)
            },
            APIRoute(
                method: .delete, path: "/v1/apikeys/:id", operationId: "revokeAPIKey", summary: "Revoke an API key by id or name", tag: "Access",
                success: (200, "The revoked key", "APIKey"), errorStatuses: [401, 403, 404]
            ) { _, context in
                let key = try await cp.revokeAPIKey(try context.parameters.require("id"), as: try context.requirePrincipal())
                return APIResponse.json(key.value)
            },
            APIRoute(
                method: .get, path: "/v1/roles", operationId: "listRoles", summary: "Built-in and custom roles", tag: "Access",
                success: (200, "Roles", "RoleList"), errorStatuses: [401, 403]
            ) { _, context in
                let roles = try await cp.listRoles(as: try context.requirePrincipal())
                return APIResponse.json(["items": .array(roles.map(\.value))])
            },
            APIRoute(
                method: .post, path: "/v1/roles", operationId: "saveRole", summary: "Create or replace a custom role (verbs × resources)",
                tag: "Access", requestSchema: "Role", success: (201, "The role", "Role"), errorStatuses: [400, 401, 403, 422],
                permission: .verb(.create, "roles")
            ) { request, context in
                let role = try await cp.saveRole(try await RequestBody.document(of: request, context: context), as: try context.requirePrincipal())
                return APIResponse.json(role.value, status: .created)
            },
            APIRoute(
                method: .delete, path: "/v1/roles/:name", operationId: "deleteRole", summary: "Delete a custom role", tag: "Access",
                success: (204, "Deleted", nil), errorStatuses: [401, 403, 404, 409]
            ) { _, context in
                try await cp.deleteRole(named: try context.parameters.require("name"), as: try context.requirePrincipal())
                return Response(status: .noContent)
            },
        ]
    }
}
