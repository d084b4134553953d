using System.Text.Json;
using System.Text.Json.Nodes;

namespace Shop.Messaging.AmazonSqs.Topology;

/// <summary>
/// The access policy a queue needs before SNS delivers to it: a statement letting the SNS service send, limited to the
/// topics the queue subscribes to (<c>aws:SourceArn</c>, <c>ArnLike</c>), so no other topic in the account can write into
/// it. Topics are merged into an existing policy statement by statement, the way MassTransit.AmazonSQS does it, so
/// services of both transports sharing a queue keep each other's topics and any other statement stays as it is.
/// </summary>
public static class SqsQueuePolicy
{
    const string SendMessage = "sqs:SendMessage";
    const string SnsService = "sns.amazonaws.com";
    const string SourceArn = "aws:SourceArn";

    /// <summary>A policy of one statement letting exactly <paramref name="topicArns"/> send to the queue.</summary>
    public static string AllowTopics(string queueArn, IEnumerable<string> topicArns)
    {
        var topics = topicArns.ToList();
        if (topics.Count == 0)
            throw new ArgumentException("A queue policy needs at least one topic.", nameof(topicArns));
        return Merge(null, queueArn, topics)!;
    }

    /// <summary>
    /// <paramref name="current"/> (the queue's <c>Policy</c> attribute, null or empty for none) with
    /// <paramref name="topicArns"/> added to the SNS statement of the queue; null when every topic may already send (by
    /// its ARN or the account's <c>arn:aws:sns:region:account:*</c>), so nothing needs to be written.
    /// </summary>
    public static string? Merge(string? current, string queueArn, IEnumerable<string> topicArns)
    {
        var policy = string.IsNullOrWhiteSpace(current)
            ? new JsonObject { ["Version"] = "2012-10-17" }
            : JsonNode.Parse(current) as JsonObject ?? throw new FormatException("A queue policy must be a JSON object.");
        var statements = policy["Statement"] switch
        {
            JsonArray array => array,
            JsonObject single => new JsonArray(single.DeepClone()),
            _ => new JsonArray(),
        };
        policy["Statement"] = statements;

        var missing = topicArns.Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(topic => !Allowed(statements, queueArn, topic)).ToList();
        if (missing.Count == 0)
            return null;

        var statement = statements.OfType<JsonObject>().FirstOrDefault(s => IsSnsSendStatement(s, queueArn));
        if (statement is null)
        {
            statement = new JsonObject
            {
                ["Sid"] = "AllowSnsTopics",
                ["Effect"] = "Allow",
                ["Principal"] = new JsonObject { ["Service"] = SnsService },
                ["Action"] = SendMessage,
                ["Resource"] = queueArn,
            };
            statements.Add(statement);
        }

        var conditions = statement["Condition"] as JsonObject ?? new JsonObject();
        statement["Condition"] = conditions;
        var arnLike = Property(conditions, "ArnLike") as JsonObject ?? new JsonObject();
        conditions[KeyOf(conditions, "ArnLike") ?? "ArnLike"] = arnLike;

        var values = Strings(Property(arnLike, SourceArn)).ToList();
        // Our transport used ArnEquals before; two operators in one statement must both match, so its topics move to ArnLike.
        if (Property(conditions, "ArnEquals") is JsonObject arnEquals && Property(arnEquals, SourceArn) is { } equalTopics)
        {
            values.AddRange(Strings(equalTopics));
            arnEquals.Remove(KeyOf(arnEquals, SourceArn)!);
            if (arnEquals.Count == 0) conditions.Remove(KeyOf(conditions, "ArnEquals")!);
        }

        values.AddRange(missing);
        arnLike[KeyOf(arnLike, SourceArn) ?? SourceArn] = new JsonArray(values.Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        return policy.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    static bool Allowed(JsonArray statements, string queueArn, string topicArn)
    {
        var accountWildcard = topicArn[..(topicArn.LastIndexOf(':') + 1)] + "*";
        return statements.OfType<JsonObject>()
            .Where(s => Strings(Property(s, "Resource")).Contains(queueArn, StringComparer.OrdinalIgnoreCase))
            .Select(s => Property(s, "Condition") as JsonObject)
            .Select(c => c is null ? null : Property(c, "ArnLike") as JsonObject)
            .Any(arnLike => arnLike is not null && Strings(Property(arnLike, SourceArn))
                .Any(v => v.Equals(topicArn, StringComparison.OrdinalIgnoreCase) || v == accountWildcard));
    }

    static bool IsSnsSendStatement(JsonObject statement, string queueArn) =>
        string.Equals(Property(statement, "Effect")?.GetValue<string>(), "Allow", StringComparison.Ordinal)
        && Strings(Property(statement, "Action")).Contains(SendMessage, StringComparer.Ordinal)
        && Strings(Property(statement, "Resource")).Contains(queueArn, StringComparer.OrdinalIgnoreCase)
        && Property(statement, "Principal") is JsonObject principal
        && Strings(Property(principal, "Service")).Contains(SnsService, StringComparer.OrdinalIgnoreCase);

    static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(x => x?.GetValueKind() == JsonValueKind.String ? x.GetValue<string>() : null).OfType<string>(),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => [value.GetValue<string>()],
        _ => [],
    };

    static string? KeyOf(JsonObject node, string name) =>
        node.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));

    static JsonNode? Property(JsonObject node, string name) => KeyOf(node, name) is { } key ? node[key] : null;
}
