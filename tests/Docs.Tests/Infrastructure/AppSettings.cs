using System.Text.Json;

namespace Shop.Docs.Tests.Infrastructure;

/// <summary>The keys of every <c>src/*/appsettings*.json</c>, as configuration paths (<c>Messaging:RabbitMq:Url</c>).</summary>
public static class AppSettings
{
    public static IReadOnlyDictionary<string, string> KeysWithFile { get; } = Load();

    static Dictionary<string, string> Load()
    {
        var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in Directory.EnumerateFiles(Repository.PathOf("src"), "appsettings*.json", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Repository.Root, file).Replace('\\', '/');
            if (relative.Split('/').Any(part => part is "bin" or "obj"))
                continue;
            using var json = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            Collect(json.RootElement, "", relative, keys);
        }

        return keys;
    }

    static void Collect(JsonElement element, string path, string file, Dictionary<string, string> keys)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
                Collect(property.Value, path.Length == 0 ? property.Name : $"{path}:{property.Name}", file, keys);
        }
        else
        {
            // An array is one setting (Images:Thumbnails:Sizes), documented as Images:Thumbnails:Sizes:N.
            keys.TryAdd(path, file);
        }
    }
}
