using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.S3;
using Shop.Deploy.Aws.Topology;

namespace Shop.Deploy.Aws.Stacks;

/// <summary>
/// The least privilege a service needs on the bus and the bucket, generated from the topology: receive from its own
/// queues only; send to its own queues (scheduler, redelivery, <c>_error</c>, <c>_skipped</c>) and to the queues it
/// sends commands to; publish to the topics of what it publishes; read and write its bucket prefixes.
/// </summary>
public static class TopologyPolicies
{
    public static IEnumerable<PolicyStatement> For(Stack stack, ShopTopology topology, ServiceTopology service, IBucket bucket)
    {
        var names = topology.Names;
        var own = service.Endpoints.Select(e => e.Name).ToList();

        yield return new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ReceiveOwnQueues",
            Actions = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"],
            Resources = own.Select(e => ResourceArns.Queue(stack, names.Queue(e))).ToArray(),
        });

        var sendTo = own.SelectMany(e => new[] { names.Queue(e), names.ErrorQueue(e), names.SkippedQueue(e) })
            .Concat(service.SendsTo.Select(names.Queue))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        yield return new PolicyStatement(new PolicyStatementProps
        {
            Sid = "SendToQueues",
            Actions = ["sqs:SendMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"],
            Resources = sendTo.Select(q => ResourceArns.Queue(stack, q)).ToArray(),
        });

        yield return new PolicyStatement(new PolicyStatementProps
        {
            Sid = "PublishOwnMessages",
            Actions = ["sns:Publish"],
            Resources = service.PublishedMessageTypes.Select(t => names.Topic(t)).Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal).Select(topic => ResourceArns.Topic(stack, topic)).ToArray(),
        });

        yield return new PolicyStatement(new PolicyStatementProps
        {
            Sid = "OwnBucketPrefixes",
            Actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            Resources = service.Service.BucketPrefixes.Select(prefix => bucket.ArnForObjects(prefix + "*")).ToArray(),
        });

        // Without it S3 answers 403 instead of 404 for a missing object, and "does it exist" could not be told apart.
        yield return new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ListOwnBucketPrefixes",
            Actions = ["s3:ListBucket"],
            Resources = [bucket.BucketArn],
            Conditions = new Dictionary<string, object>
            {
                ["StringLike"] = new Dictionary<string, object>
                {
                    ["s3:prefix"] = service.Service.BucketPrefixes.Select(prefix => prefix + "*").ToArray(),
                },
            },
        });
    }
}
