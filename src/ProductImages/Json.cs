using System.Text.Json;

namespace Shop.ProductImages;

/// <summary>How the module writes its jsonb columns: camelCase, as the API shows them.</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
