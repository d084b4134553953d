using Amazon.CDK;

namespace Shop.Deploy.Aws.Stacks;

/// <summary>
/// ARNs and URLs of queues and topics built from their names, as the transport builds them: the services stack refers
/// to the messaging stack's resources by name, so no CloudFormation export ties a queue to the stacks that use it.
/// </summary>
public static class ResourceArns
{
    public static string Queue(Stack stack, string queueName) =>
        Arn.Format(new ArnComponents { Service = "sqs", Resource = queueName, ArnFormat = ArnFormat.NO_RESOURCE_NAME }, stack);

    public static string QueueUrl(Stack stack, string queueName) =>
        $"https://sqs.{stack.Region}.{stack.UrlSuffix}/{stack.Account}/{queueName}";

    public static string Topic(Stack stack, string topicName) =>
        Arn.Format(new ArnComponents { Service = "sns", Resource = topicName, ArnFormat = ArnFormat.NO_RESOURCE_NAME }, stack);
}
