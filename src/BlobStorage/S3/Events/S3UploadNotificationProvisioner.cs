using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;

namespace Shop.BlobStorage.S3.Events;

/// <summary>
/// Makes a bucket report new objects under one key prefix to an SQS queue: the queue (created if missing), its
/// policy letting this bucket send, and the bucket's queue notification. Every step is idempotent, and the bucket's
/// other notification configurations are kept: S3 replaces the whole set on each write, so ours is merged by id.
/// </summary>
public sealed class S3UploadNotificationProvisioner(IAmazonS3 s3, IAmazonSQS sqs, ILogger<S3UploadNotificationProvisioner> logger)
{
    public const string ObjectCreatedEvents = "s3:ObjectCreated:*";

    /// <param name="configurationId">Names our entry in the bucket's configuration; S3 repeats it in every event.</param>
    /// <returns>The queue's URL and ARN.</returns>
    public async Task<(string QueueUrl, string QueueArn)> EnsureAsync(string bucket, string keyPrefix, string queueName, string configurationId,
        CancellationToken cancellationToken = default)
    {
        var queueUrl = (await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = queueName }, cancellationToken)).QueueUrl;
        var attributes = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = queueUrl,
            AttributeNames = ["QueueArn"],
        }, cancellationToken);
        var queueArn = attributes.Attributes["QueueArn"];

        // S3 checks this policy when the notification is saved: it must be in place first.
        await sqs.SetQueueAttributesAsync(new SetQueueAttributesRequest
        {
            QueueUrl = queueUrl,
            Attributes = new Dictionary<string, string> { ["Policy"] = S3NotificationQueuePolicy.AllowBucket(queueArn, bucket) },
        }, cancellationToken);

        var current = await s3.GetBucketNotificationAsync(new GetBucketNotificationRequest { BucketName = bucket }, cancellationToken);
        var queues = (current.QueueConfigurations ?? []).Where(q => q.Id != configurationId).ToList();
        queues.Add(new QueueConfiguration
        {
            Id = configurationId,
            Queue = queueArn,
            Events = [EventType.ObjectCreatedAll],
            Filter = new Filter
            {
                S3KeyFilter = new S3KeyFilter { FilterRules = [new FilterRule { Name = "prefix", Value = keyPrefix }] },
            },
        });

        await s3.PutBucketNotificationAsync(new PutBucketNotificationRequest
        {
            BucketName = bucket,
            QueueConfigurations = queues,
            TopicConfigurations = current.TopicConfigurations,
            LambdaFunctionConfigurations = current.LambdaFunctionConfigurations,
            EventBridgeConfiguration = current.EventBridgeConfiguration,
        }, cancellationToken);

        logger.LogInformation("Bucket {Bucket} notifies {Events} under {KeyPrefix} to queue {QueueArn}", bucket, ObjectCreatedEvents, keyPrefix, queueArn);
        return (queueUrl, queueArn);
    }
}
