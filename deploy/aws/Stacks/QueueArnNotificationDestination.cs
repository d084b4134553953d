using Amazon.CDK.AWS.S3;
using Amazon.JSII.Runtime.Deputy;
using Constructs;

namespace Shop.Deploy.Aws.Stacks;

/// <summary>
/// A bucket notification to a queue by ARN, granting nothing: CDK's own SQS destination would write the queue's policy
/// into the queue's stack and tie the two stacks to each other; the data stack writes that policy itself.
/// </summary>
sealed class QueueArnNotificationDestination(string queueArn) : DeputyBase, IBucketNotificationDestination
{
    public IBucketNotificationDestinationConfig Bind(Construct scope, IBucket bucket) =>
        new BucketNotificationDestinationConfig { Arn = queueArn, Type = BucketNotificationDestinationType.QUEUE };
}
