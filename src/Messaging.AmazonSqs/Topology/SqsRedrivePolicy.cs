using System.Text.Json.Nodes;

namespace Shop.Messaging.AmazonSqs.Topology;

/// <summary>A queue's <c>RedrivePolicy</c>: SQS moves a message received more than the count to the dead-letter queue.</summary>
public static class SqsRedrivePolicy
{
    public static string To(string deadLetterQueueArn, int maxReceiveCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxReceiveCount, 1);
        return new JsonObject
        {
            ["deadLetterTargetArn"] = deadLetterQueueArn,
            ["maxReceiveCount"] = maxReceiveCount,
        }.ToJsonString();
    }

    /// <summary>The dead-letter queue a redrive policy names, null if it cannot be read.</summary>
    public static string? TargetOf(string policy)
    {
        try
        {
            return JsonNode.Parse(policy)?["deadLetterTargetArn"]?.ToString();
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Whether two redrive policies name the same queue and count (SQS may write the count as a string).</summary>
    public static bool Same(string a, string b)
    {
        try
        {
            var (x, y) = (JsonNode.Parse(a), JsonNode.Parse(b));
            return x?["deadLetterTargetArn"]?.ToString() == y?["deadLetterTargetArn"]?.ToString()
                   && x?["maxReceiveCount"]?.ToString() == y?["maxReceiveCount"]?.ToString();
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }
}
