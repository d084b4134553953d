using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Shop.Cli.Messages;

/// <summary>
/// A contract's JSON as the bus writes it (camelCase, like MassTransit's serializer), read strictly: every constructor
/// parameter present, non-nullable ones not null, no unknown field, numbers as numbers. What passes here is what a
/// consumer will be able to read.
/// </summary>
public static partial class MessageJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <exception cref="MessageValidationException">The JSON does not make a valid <paramref name="message"/>.</exception>
    public static object Parse(MessageDescriptor message, string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, message.Type, Options)
                ?? throw new MessageValidationException(message, "$", "the message is null");
        }
        catch (JsonException exception)
        {
            var path = exception.Path ?? "$";
            throw new MessageValidationException(message, path, Describe(exception, FieldType(message.Type, path)));
        }
    }

    public static JsonNode Schema(MessageDescriptor message)
    {
        var schema = JsonSchemaExporter.GetJsonSchemaAsNode(Options, message.Type,
            new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });
        schema["title"] = message.Name;
        schema["$id"] = $"urn:message:{message.Type.Namespace}:{message.Name}";
        return schema;
    }

    /// <summary>
    /// The serializer's reason in the contract's terms: the fields that are missing, or the type a field should have,
    /// without the "Path: … | LineNumber: …" tail (the path is reported separately).
    /// </summary>
    static string Describe(JsonException exception, Type? fieldType)
    {
        var text = exception.Message;
        var missing = MissingFields().Match(text);
        if (missing.Success)
            return "missing required field(s) " + string.Join(", ", missing.Groups["fields"].Value.Split(", ").Select(f => f.Trim('\'')));
        if (text.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
            return "not a field of the contract";
        if (text.Contains("doesn't allow null values", StringComparison.Ordinal) || text.Contains("null value", StringComparison.Ordinal))
            return "must not be null";
        if (text.Contains("could not be converted", StringComparison.Ordinal) && fieldType is not null)
            return $"expected {Describe(fieldType)}";
        var tail = text.IndexOf(" Path: ", StringComparison.Ordinal);
        return (tail > 0 ? text[..tail] : text).TrimEnd('.');
    }

    static string Describe(Type type)
    {
        var nullable = Nullable.GetUnderlyingType(type);
        var bare = nullable ?? type;
        var name = bare switch
        {
            _ when bare == typeof(Guid) => "a UUID string",
            _ when bare == typeof(string) => "a string",
            _ when bare == typeof(decimal) || bare == typeof(double) => "a number",
            _ when bare == typeof(int) || bare == typeof(long) => "an integer",
            _ when bare == typeof(DateTime) || bare == typeof(DateTimeOffset) => "an ISO 8601 date-time string",
            _ when bare == typeof(bool) => "true or false",
            _ when bare != typeof(string) && bare.IsAssignableTo(typeof(System.Collections.IEnumerable)) => "an array",
            _ => $"an object ({bare.Name})",
        };
        return nullable is null ? name : name + " or null";
    }

    /// <summary>The CLR type of the member a JSON path such as <c>$.items[0].quantity</c> points at.</summary>
    static Type? FieldType(Type root, string path)
    {
        var type = root;
        foreach (Match segment in PathSegments().Matches(path))
        {
            if (segment.Groups["index"].Success)
            {
                type = type.IsArray ? type.GetElementType()
                    : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
            }
            else
            {
                type = type?.GetProperty(segment.Groups["name"].Value,
                    System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase)?.PropertyType;
            }

            if (type is null)
                return null;
        }

        return type;
    }

    [GeneratedRegex("missing required properties including: (?<fields>.+?)\\.?$")]
    private static partial Regex MissingFields();

    [GeneratedRegex(@"\.(?<name>\w+)|\[(?<index>\d+)\]")]
    private static partial Regex PathSegments();
}

public sealed class MessageValidationException(MessageDescriptor message, string path, string reason)
    : Exception($"{message.Name} is not valid at {path}: {reason}")
{
    public string Path { get; } = path;
    public string Reason { get; } = reason;
}
