using System.Text.Json;
using System.Text.Json.Nodes;

namespace Shop.Messaging.AmazonSqs.Topology;

/// <summary>
/// The access policy a queue needs before SNS delivers to it: one statement letting the SNS service send, limited to
/// the topics the queue subscribes to (<c>aws:SourceArn</c>), so no other topic in the account can write into it.
/// </summary>
public static class SqsQueuePolicy
{
    public static string AllowTopics(string queueArn, IEnumerable<string> topicArns)
    {
        var topics = new JsonArray(topicArns.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(arn => (JsonNode?)JsonValue.Create(arn)).ToArray());
        if (topics.Count == 0)
            throw new ArgumentException("A queue policy needs at least one topic.", nameof(topicArns));

        var policy = new JsonObject
        {
            ["Version"] = "2012-10-17",
            ["Statement"] = new JsonArray(new JsonObject
            {
                ["Sid"] = "AllowSnsTopics",
                ["Effect"] = "Allow",
                ["Principal"] = new JsonObject { ["Service"] = "sns.amazonaws.com" },
                ["Action"] = "sqs:SendMessage",
                ["Resource"] = queueArn,
                ["Condition"] = new JsonObject { ["ArnEquals"] = new JsonObject { ["aws:SourceArn"] = topics } },
            }),
        };
        return policy.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }
}
