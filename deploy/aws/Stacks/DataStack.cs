using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.RDS;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.SQS;
using Constructs;
using Shop.BlobStorage;
using Shop.Deploy.Aws.Topology;
using InstanceType = Amazon.CDK.AWS.EC2.InstanceType;

namespace Shop.Deploy.Aws.Stacks;

/// <summary>
/// PostgreSQL (its administrator password generated into Secrets Manager), a login per service whose password is a
/// secret of its own, and the blob bucket: private, encrypted, TLS only, telling the image upload queue about direct
/// uploads. The databases and logins themselves are created inside PostgreSQL by the services stack's set-up task.
/// </summary>
public sealed class DataStack : Stack
{
    public const int PostgresPort = 5432;

    public DataStack(Construct scope, string id, DeploymentSettings settings, IVpc vpc, ShopTopology topology,
        IStackProps props) : base(scope, id, props)
    {
        var removal = settings.RetainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

        DatabaseSecurityGroup = new SecurityGroup(this, "DatabaseSecurityGroup", new SecurityGroupProps
        {
            Vpc = vpc,
            Description = "PostgreSQL: reachable only from the services' security group",
            AllowAllOutbound = false,
        });

        Database = new DatabaseInstance(this, "Postgres", new DatabaseInstanceProps
        {
            Engine = DatabaseInstanceEngine.Postgres(new PostgresInstanceEngineProps { Version = PostgresEngineVersion.VER_15 }),
            InstanceType = new InstanceType(settings.DatabaseInstanceType),
            Vpc = vpc,
            VpcSubnets = NetworkStack.Data,
            SecurityGroups = [DatabaseSecurityGroup],
            Credentials = Credentials.FromGeneratedSecret("shop_admin", new CredentialsBaseOptions
            {
                SecretName = $"shop/{settings.Environment}/database/admin",
            }),
            DatabaseName = "postgres",
            Port = PostgresPort,
            AllocatedStorage = 20,
            MaxAllocatedStorage = 100,
            StorageEncrypted = true,
            MultiAz = settings.DatabaseMultiAz,
            PubliclyAccessible = false,
            BackupRetention = Duration.Days(settings.RetainData ? 14 : 1),
            DeletionProtection = settings.RetainData,
            RemovalPolicy = removal,
            ParameterGroup = new ParameterGroup(this, "PostgresParameters", new ParameterGroupProps
            {
                Engine = DatabaseInstanceEngine.Postgres(new PostgresInstanceEngineProps { Version = PostgresEngineVersion.VER_15 }),
                Parameters = new Dictionary<string, string>
                {
                    ["rds.force_ssl"] = "1",
                    ["max_connections"] = settings.DatabaseMaxConnections.ToString(System.Globalization.CultureInfo.InvariantCulture),
                },
            }),
        });

        foreach (var service in settings.DatabaseServices)
        {
            ServiceLogins[service] = new DatabaseSecret(this, $"{service.Name}-database-login", new DatabaseSecretProps
            {
                Username = service.DatabaseLogin,
                SecretName = $"shop/{settings.Environment}/database/{service.Name}",
                // Its own password only: the secret is never the administrator's.
                ExcludeCharacters = " %+~`#$&*()|[]{}:;<>?!'/@\"\\",
            });
        }

        Bucket = new Bucket(this, "Blobs", new BucketProps
        {
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            Encryption = BucketEncryption.S3_MANAGED,
            EnforceSSL = true,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            RemovalPolicy = removal,
            AutoDeleteObjects = !settings.RetainData,
            LifecycleRules =
            [
                // Claim-checked message bodies outlive their message by far at this age (SQS keeps a message 4 days).
                new LifecycleRule { Id = "claim-checks", Prefix = Messaging.AmazonSqs.Transport.ClaimCheck.KeyPrefix, Expiration = Duration.Days(14) },
                // A direct upload is moved under images/ once processed; leftovers are abandoned uploads.
                new LifecycleRule { Id = "abandoned-uploads", Prefix = BlobKeys.DirectUploadPrefix, Expiration = Duration.Days(2) },
                new LifecycleRule { Id = "incomplete-multipart", AbortIncompleteMultipartUploadAfter = Duration.Days(1) },
            ],
        });

        ConnectUploadNotifications(topology);
    }

    public DatabaseInstance Database { get; }
    public SecurityGroup DatabaseSecurityGroup { get; }
    public Dictionary<ShopService, DatabaseSecret> ServiceLogins { get; } = [];
    public Bucket Bucket { get; }

    /// <summary>
    /// New objects under the direct-upload prefix are reported to the image worker's notification queue. The queue
    /// lives in the messaging stack; its policy is added here, so the two stacks do not refer to each other both ways.
    /// </summary>
    void ConnectUploadNotifications(ShopTopology topology)
    {
        var endpoint = topology[ShopService.Images].Endpoints.Single(e => !e.SubscribesToTopics);
        var queueName = topology.Names.Queue(endpoint.Name);
        var queue = Queue.FromQueueAttributes(this, "UploadNotificationQueue", new QueueAttributes
        {
            QueueArn = ResourceArns.Queue(this, queueName),
            QueueName = queueName,
            QueueUrl = ResourceArns.QueueUrl(this, queueName),
        });

        var policy = new QueuePolicy(this, "UploadNotificationQueuePolicy", new QueuePolicyProps { Queues = [queue] });
        policy.Document.AddStatements(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "BucketSendsUploadNotifications",
            Principals = [new ServicePrincipal("s3.amazonaws.com")],
            Actions = ["sqs:SendMessage"],
            Resources = [queue.QueueArn],
            Conditions = new Dictionary<string, object>
            {
                ["ArnEquals"] = new Dictionary<string, object> { ["aws:SourceArn"] = Bucket.BucketArn },
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = Account },
            },
        }));

        Bucket.AddEventNotification(EventType.OBJECT_CREATED, new QueueArnNotificationDestination(queue.QueueArn),
            new NotificationKeyFilter { Prefix = BlobKeys.DirectUploadPrefix });
        // S3 checks that it may send before it accepts the notification configuration.
        Bucket.Node.FindChild("Notifications").Node.AddDependency(policy);
    }
}
