using System.Text.Json.Nodes;

namespace Shop.BlobStorage.S3.Events;

/// <summary>
/// The access policy S3 needs on a queue before it accepts the queue as a notification destination: the S3 service
/// may send, but only on behalf of the one bucket (<c>aws:SourceArn</c>) and only when that bucket belongs to the
/// queue's own account (<c>aws:SourceAccount</c>), so a bucket of the same name in another account cannot write.
/// </summary>
public static class S3NotificationQueuePolicy
{
    public static string AllowBucket(string queueArn, string bucket)
    {
        // arn:aws:sqs:region:account:name
        var arn = queueArn.Split(':');
        if (arn.Length != 6 || arn[0] != "arn" || arn[2] != "sqs")
            throw new ArgumentException($"'{queueArn}' is not an SQS queue ARN.", nameof(queueArn));

        var policy = new JsonObject
        {
            ["Version"] = "2012-10-17",
            ["Statement"] = new JsonArray(new JsonObject
            {
                ["Sid"] = "AllowS3BucketNotifications",
                ["Effect"] = "Allow",
                ["Principal"] = new JsonObject { ["Service"] = "s3.amazonaws.com" },
                ["Action"] = "sqs:SendMessage",
                ["Resource"] = queueArn,
                ["Condition"] = new JsonObject
                {
                    ["ArnLike"] = new JsonObject { ["aws:SourceArn"] = $"arn:{arn[1]}:s3:::{bucket}" },
                    ["StringEquals"] = new JsonObject { ["aws:SourceAccount"] = arn[4] },
                },
            }),
        };
        return policy.ToJsonString();
    }
}
