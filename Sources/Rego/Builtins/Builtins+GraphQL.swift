import NovaCore

/// GraphQL: parsing queries and schemas into gqlparser-shaped objects, and validating a query
/// against a schema (strings or objects from the parse built-ins).
extension Builtins {
    static let graphql: [String: Builtin] = [
        "graphql.parse_query": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in GraphQL.value(try query(a, 0)) },
        "graphql.parse_schema": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in GraphQL.value(try schemaDocument(a, 0)) },
        "graphql.schema_is_valid": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            guard let document = try? schemaDocument(a, 0) else { return .bool(false) }
            return .bool((try? GraphQLSchema(document)) != nil)
        },
        "graphql.is_valid": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            guard let document = try? query(a, 0), let schema = try? schema(a, 1) else { return .bool(false) }
            return .bool((try? GraphQLQueryValidation.validate(document, against: schema)) != nil)
        },
        "graphql.parse": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let document = try query(a, 0), schemaDocument = try schemaDocument(a, 1)
            do throws(GraphQL.Failure) {
                try GraphQLQueryValidation.validate(document, against: try GraphQLSchema(schemaDocument))
            } catch {
                throw a.failure(error.message)
            }
            return .array([GraphQL.value(document), GraphQL.value(schemaDocument)])
        },
        "graphql.parse_and_verify": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let invalid: Value = .array([false, .emptyObject, .emptyObject])
            guard let document = try? query(a, 0), let schemaDocument = try? schemaDocument(a, 1), let schema = try? GraphQLSchema(schemaDocument),
                (try? GraphQLQueryValidation.validate(document, against: schema)) != nil
            else { return invalid }
            return .array([true, GraphQL.value(document), GraphQL.value(schemaDocument)])
        },
    ]

    static func query(_ a: Arguments, _ i: Int) throws(RegoError) -> GraphQL.QueryDocument {
        guard case .string = a[i] else {
            guard case .object = a[i] else { throw a.typeError(i, "any<string, object>") }
            do throws(GraphQL.Failure) { return try GraphQL.queryDocument(a[i]) } catch { throw a.failure(error.message) }
        }
        let text = try a.string(i)
        do throws(GraphQL.Failure) { return try GraphQLParser.parseQuery(text) } catch { throw a.failure("\(error.message) in GraphQL string") }
    }

    static func schemaDocument(_ a: Arguments, _ i: Int) throws(RegoError) -> GraphQL.SchemaDocument {
        guard case .string = a[i] else {
            guard case .object = a[i] else { throw a.typeError(i, "any<string, object>") }
            do throws(GraphQL.Failure) { return try GraphQL.schemaDocument(a[i]) } catch { throw a.failure(error.message) }
        }
        let text = try a.string(i)
        do throws(GraphQL.Failure) { return try GraphQLParser.parseSchema(text) } catch { throw a.failure("\(error.message) in GraphQL schema") }
    }

    static func schema(_ a: Arguments, _ i: Int) throws(RegoError) -> GraphQLSchema {
        let document = try schemaDocument(a, i)
        do throws(GraphQL.Failure) { return try GraphQLSchema(document) } catch { throw a.failure(error.message) }
    }
}
