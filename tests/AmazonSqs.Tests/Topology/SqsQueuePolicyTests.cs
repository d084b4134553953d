using System.Text.Json;
using Shop.Messaging.AmazonSqs.Topology;
using Xunit;

namespace Shop.AmazonSqs.Tests.Topology;

public class SqsQueuePolicyTests
{
    const string Queue = "arn:aws:sqs:us-east-1:123456789012:orders";

    [Fact]
    public void Should_let_only_the_named_topics_send_to_the_queue()
    {
        var policy = JsonDocument.Parse(SqsQueuePolicy.AllowTopics(Queue,
            ["arn:aws:sns:us-east-1:123456789012:b", "arn:aws:sns:us-east-1:123456789012:a", "arn:aws:sns:us-east-1:123456789012:a"]));

        var statement = Assert.Single(policy.RootElement.GetProperty("Statement").EnumerateArray());
        Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
        Assert.Equal("sns.amazonaws.com", statement.GetProperty("Principal").GetProperty("Service").GetString());
        Assert.Equal("sqs:SendMessage", statement.GetProperty("Action").GetString());
        Assert.Equal(Queue, statement.GetProperty("Resource").GetString());
        Assert.Equal(
            ["arn:aws:sns:us-east-1:123456789012:a", "arn:aws:sns:us-east-1:123456789012:b"],
            statement.GetProperty("Condition").GetProperty("ArnEquals").GetProperty("aws:SourceArn")
                .EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void When_there_is_no_topic_Should_refuse_to_write_a_policy() =>
        Assert.Throws<ArgumentException>(() => SqsQueuePolicy.AllowTopics(Queue, []));
}
