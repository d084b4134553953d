using System.Text.Json;
using Shop.Messaging.AmazonSqs.Topology;
using Xunit;

namespace Shop.AmazonSqs.Tests.Topology;

/// <summary>
/// The queue policy, by the rules of MassTransit.AmazonSQS 8.5.8's AmazonSqsTransport/QueueInfo.cs (UpdatePolicy, :80-143;
/// QueueHasTopicPermission, :145-157): one Allow statement for sns.amazonaws.com with sqs:SendMessage on the queue,
/// topics listed under ArnLike aws:SourceArn, merged into what the queue already has.
/// </summary>
public class SqsQueuePolicyTests
{
    const string Queue = "arn:aws:sqs:us-east-1:123456789012:orders";
    const string A = "arn:aws:sns:us-east-1:123456789012:a";
    const string B = "arn:aws:sns:us-east-1:123456789012:b";

    static JsonElement Statement(string policy) =>
        Assert.Single(JsonDocument.Parse(policy).RootElement.GetProperty("Statement").EnumerateArray());

    static IEnumerable<string?> SourceArns(JsonElement statement) =>
        statement.GetProperty("Condition").GetProperty("ArnLike").GetProperty("aws:SourceArn").EnumerateArray().Select(e => e.GetString());

    [Fact]
    public void Should_let_only_the_named_topics_send_to_the_queue()
    {
        var statement = Statement(SqsQueuePolicy.AllowTopics(Queue, [B, A, A]));

        Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
        Assert.Equal("sns.amazonaws.com", statement.GetProperty("Principal").GetProperty("Service").GetString());
        Assert.Equal("sqs:SendMessage", statement.GetProperty("Action").GetString());
        Assert.Equal(Queue, statement.GetProperty("Resource").GetString());
        Assert.Equal([B, A], SourceArns(statement));
    }

    // QueueInfo.cs:94-98 finds the statement by effect, action, resource and principal (arrays or not), :110-126 appends.
    [Fact]
    public void When_an_official_service_wrote_the_policy_Should_add_to_its_statement_and_keep_its_topics()
    {
        var official = $$"""
            {"Version":"2012-10-17","Statement":[{"Sid":"1","Effect":"Allow","Principal":{"Service":["sns.amazonaws.com"]},
             "Action":["sqs:SendMessage"],"Resource":["{{Queue}}"],"Condition":{"ArnLike":{"aws:SourceArn":"{{A}}"} } }]}
            """;

        var statement = Statement(SqsQueuePolicy.Merge(official, Queue, [B])!);

        Assert.Equal("1", statement.GetProperty("Sid").GetString());
        Assert.Equal([A, B], SourceArns(statement));
    }

    // QueueInfo.cs:90-91, :145-157: nothing is written when the topic, or the account's arn:aws:sns:region:account:*,
    // is already there.
    [Theory]
    [InlineData(A)]
    [InlineData("arn:aws:sns:us-east-1:123456789012:*")]
    public void When_every_topic_may_already_send_Should_write_nothing(string allowed)
    {
        var policy = SqsQueuePolicy.AllowTopics(Queue, [allowed]);

        Assert.Null(SqsQueuePolicy.Merge(policy, Queue, [A]));
    }

    [Fact]
    public void Should_keep_other_statements_as_they_are()
    {
        var other = $$"""
            {"Version":"2012-10-17","Statement":{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},
             "Action":"sqs:SendMessage","Resource":"{{Queue}}","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::bucket"} } } }
            """;

        var statements = JsonDocument.Parse(SqsQueuePolicy.Merge(other, Queue, [A])!).RootElement.GetProperty("Statement");

        Assert.Equal(2, statements.GetArrayLength());
        Assert.Equal("arn:aws:s3:::bucket", statements[0].GetProperty("Condition").GetProperty("ArnLike").GetProperty("aws:SourceArn").GetString());
        Assert.Equal([A], SourceArns(statements[1]));
    }

    // Our transport wrote ArnEquals before; conditions of one statement must all hold, so its topics move to ArnLike.
    [Fact]
    public void When_our_earlier_policy_listed_topics_with_ArnEquals_Should_move_them_to_ArnLike()
    {
        var earlier = $$"""
            {"Version":"2012-10-17","Statement":[{"Sid":"AllowSnsTopics","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},
             "Action":"sqs:SendMessage","Resource":"{{Queue}}","Condition":{"ArnEquals":{"aws:SourceArn":["{{A}}"] } } }]}
            """;

        var statement = Statement(SqsQueuePolicy.Merge(earlier, Queue, [B])!);

        Assert.False(statement.GetProperty("Condition").TryGetProperty("ArnEquals", out _));
        Assert.Equal([A, B], SourceArns(statement));
    }

    [Fact]
    public void When_there_is_no_topic_Should_refuse_to_write_a_policy() =>
        Assert.Throws<ArgumentException>(() => SqsQueuePolicy.AllowTopics(Queue, []));
}
