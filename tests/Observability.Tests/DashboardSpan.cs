using System.Text.Json;

namespace Shop.Observability.Tests;

/// <summary>One span as the dashboard's telemetry API answers it (OTLP JSON), with its resource's service name.</summary>
public sealed record DashboardSpan(string Service, string TraceId, string SpanId, string? ParentSpanId, string Name,
    IReadOnlyDictionary<string, string> Attributes)
{
    public override string ToString() => $"{Service}: {Name}";

    public static IReadOnlyList<DashboardSpan> Read(JsonElement root)
    {
        var spans = new List<DashboardSpan>();
        var data = root.TryGetProperty("data", out var inner) ? inner : root;
        if (!data.TryGetProperty("resourceSpans", out var resources))
            return spans;

        foreach (var resource in resources.EnumerateArray())
        {
            var service = resource.TryGetProperty("resource", out var r) ? ReadAttributes(r).GetValueOrDefault("service.name", "?") : "?";
            foreach (var scope in resource.GetProperty("scopeSpans").EnumerateArray())
            foreach (var span in scope.GetProperty("spans").EnumerateArray())
            {
                var parent = span.TryGetProperty("parentSpanId", out var p) ? p.GetString() : null;
                spans.Add(new DashboardSpan(service, span.GetProperty("traceId").GetString()!, span.GetProperty("spanId").GetString()!,
                    string.IsNullOrEmpty(parent) ? null : parent, span.GetProperty("name").GetString()!, ReadAttributes(span)));
            }
        }

        return spans;
    }

    static Dictionary<string, string> ReadAttributes(JsonElement element)
    {
        var attributes = new Dictionary<string, string>();
        if (!element.TryGetProperty("attributes", out var list))
            return attributes;
        foreach (var attribute in list.EnumerateArray())
        {
            var value = attribute.GetProperty("value");
            var text = value.EnumerateObject().FirstOrDefault() is { Value.ValueKind: not JsonValueKind.Undefined } first
                ? first.Value.ValueKind == JsonValueKind.String ? first.Value.GetString()! : first.Value.GetRawText()
                : "";
            attributes[attribute.GetProperty("key").GetString()!] = text;
        }

        return attributes;
    }
}
