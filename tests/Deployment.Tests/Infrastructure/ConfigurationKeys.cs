using System.Collections;
using System.Reflection;
using System.Text.Json;

namespace Shop.Deployment.Tests.Infrastructure;

/// <summary>
/// Configuration keys in the <c>Section:Key</c> form, compared the way Microsoft.Extensions.Configuration compares them:
/// case-insensitively, with <c>__</c> in environment variables meaning <c>:</c> and array indexes written as <c>*</c>.
/// </summary>
public static class ConfigurationKeys
{
    public static readonly StringComparer Comparer = StringComparer.OrdinalIgnoreCase;

    /// <summary><c>Images__Thumbnails__Sizes__0</c> → <c>Images:Thumbnails:Sizes:*</c>.</summary>
    public static string FromEnvironmentVariable(string name) => Normalize(name.Replace("__", ":", StringComparison.Ordinal));

    public static string Normalize(string key) =>
        string.Join(':', key.Split(':').Select(segment => segment.Length > 0 && segment.All(char.IsAsciiDigit) ? "*" : segment));

    /// <summary>Every leaf key of an appsettings.json file.</summary>
    public static IReadOnlySet<string> OfJsonFile(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var keys = new HashSet<string>(Comparer);
        Collect(document.RootElement, "", keys);
        return keys;
    }

    /// <summary>Every key the configuration binder fills in <paramref name="options"/> when it binds the section <paramref name="section"/>.</summary>
    public static IReadOnlySet<string> OfOptions(string section, Type options)
    {
        var keys = new HashSet<string>(Comparer);
        Collect(section, options, keys, depth: 0);
        return keys;
    }

    static void Collect(JsonElement element, string prefix, HashSet<string> keys)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                    Collect(property.Value, Join(prefix, property.Name), keys);
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    Collect(item, Join(prefix, "*"), keys);
                break;
            default:
                keys.Add(prefix);
                break;
        }
    }

    static void Collect(string prefix, Type type, HashSet<string> keys, int depth)
    {
        if (depth > 8)
            throw new InvalidOperationException($"{type} nests options deeper than expected at {prefix}.");

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0)
                continue;

            var key = Join(prefix, property.Name);
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var settable = property.SetMethod is { IsPublic: true };

            if (IsScalar(propertyType))
            {
                if (settable)
                    keys.Add(key);
            }
            else if (ElementType(propertyType) is { } element)
            {
                // Computed read-only views (EffectiveSizes) are not bound; settable collections are.
                if (!settable)
                    continue;
                var itemKey = Join(key, "*");
                if (IsScalar(element))
                    keys.Add(itemKey);
                else
                    Collect(itemKey, element, keys, depth + 1);
            }
            else if (propertyType.IsClass)
            {
                // The binder fills nested option objects whether or not they have a setter.
                Collect(key, propertyType, keys, depth + 1);
            }
        }
    }

    static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(Uri);

    static Type? ElementType(Type type)
    {
        if (type.IsArray)
            return type.GetElementType();
        if (type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type))
            return null;
        return type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            ?.GetGenericArguments()[0];
    }

    static string Join(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}:{name}";
}
