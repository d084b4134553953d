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
}
