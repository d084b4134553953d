using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.CustomResources;
using Constructs;
using Shop.Deploy.Aws.Topology;

namespace Shop.Deploy.Aws.Stacks;

/// <summary>
/// A one-off Fargate task (psql in the official PostgreSQL image) that gives every service its own login and its own
/// database, owned by that login and closed to every other: run on each deployment that changes it, and idempotent.
/// The services then apply their own migrations at start.
/// </summary>
public sealed class DatabaseSetupTask : Construct
{
    public const string Image = "public.ecr.aws/docker/library/postgres:15-alpine";

    // psql variables (:'name') quote every value, so no login or password is ever spliced into SQL text.
    const string CreateLoginAndDatabase = """
        set -eu
        create() {
          psql -v ON_ERROR_STOP=1 -v login="$1" -v db="$2" -v password="$3" <<'SQL'
        SELECT format('CREATE ROLE %I LOGIN', :'login') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'login') \gexec
        SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'login', :'password') \gexec
        SELECT format('GRANT %I TO %I', :'login', current_user) \gexec
        SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'login') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
        SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db') \gexec
        SQL
        }
        """;

    public DatabaseSetupTask(Construct scope, string id, DeploymentSettings settings, ICluster cluster, IVpc vpc,
        ISecurityGroup securityGroup, DataStack data) : base(scope, id)
    {
        TaskDefinition = new FargateTaskDefinition(this, "Task", new FargateTaskDefinitionProps { Cpu = 256, MemoryLimitMiB = 512 });

        var secrets = new Dictionary<string, Amazon.CDK.AWS.ECS.Secret>
        {
            ["PGPASSWORD"] = Amazon.CDK.AWS.ECS.Secret.FromSecretsManager(data.Database.Secret!, "password"),
            ["PGUSER"] = Amazon.CDK.AWS.ECS.Secret.FromSecretsManager(data.Database.Secret!, "username"),
        };
        var script = CreateLoginAndDatabase;
        foreach (var service in ShopService.All)
        {
            var variable = "PASSWORD_" + service.Name.ToUpperInvariant();
            secrets[variable] = Amazon.CDK.AWS.ECS.Secret.FromSecretsManager(data.ServiceLogins[service], "password");
            script += $"\ncreate {service.DatabaseLogin} {service.DatabaseName} \"${variable}\"";
        }

        TaskDefinition.AddContainer("psql", new ContainerDefinitionOptions
        {
            Image = ContainerImage.FromRegistry(Image),
            Essential = true,
            EntryPoint = ["sh", "-c"],
            Command = [script],
            Environment = new Dictionary<string, string>
            {
                ["PGHOST"] = data.Database.DbInstanceEndpointAddress,
                ["PGPORT"] = data.Database.DbInstanceEndpointPort,
                ["PGDATABASE"] = "postgres",
                ["PGSSLMODE"] = "require",
            },
            Secrets = secrets,
            Logging = LogDriver.AwsLogs(new AwsLogDriverProps
            {
                StreamPrefix = "database-setup",
                LogGroup = new LogGroup(this, "Logs", new LogGroupProps
                {
                    LogGroupName = $"/shop/{settings.Environment}/database-setup",
                    Retention = RetentionDays.ONE_MONTH,
                    RemovalPolicy = RemovalPolicy.DESTROY,
                }),
            }),
        });

        // Started by CloudFormation whenever the script changes (a service added), so a deployment needs no manual step.
        var subnets = vpc.SelectSubnets(NetworkStack.Application).SubnetIds;
        var runTask = new AwsSdkCall
        {
            Service = "ECS",
            Action = "runTask",
            Parameters = new Dictionary<string, object>
            {
                ["cluster"] = cluster.ClusterArn,
                ["taskDefinition"] = TaskDefinition.TaskDefinitionArn,
                ["launchType"] = "FARGATE",
                ["networkConfiguration"] = new Dictionary<string, object>
                {
                    ["awsvpcConfiguration"] = new Dictionary<string, object>
                    {
                        ["subnets"] = subnets,
                        ["securityGroups"] = new[] { securityGroup.SecurityGroupId },
                        ["assignPublicIp"] = "DISABLED",
                    },
                },
            },
            PhysicalResourceId = PhysicalResourceId.Of(Convert.ToHexString(
                System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(script)))[..16]),
        };
        var run = new AwsCustomResource(this, "Run", new AwsCustomResourceProps
        {
            OnCreate = runTask,
            OnUpdate = runTask,
            InstallLatestAwsSdk = false,
            Policy = AwsCustomResourcePolicy.FromStatements(
            [
                new PolicyStatement(new PolicyStatementProps { Actions = ["ecs:RunTask"], Resources = [TaskDefinition.TaskDefinitionArn] }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Actions = ["iam:PassRole"],
                    Resources = [TaskDefinition.TaskRole.RoleArn, TaskDefinition.ObtainExecutionRole().RoleArn],
                }),
            ]),
        });
        run.Node.AddDependency(data.Database);

        new CfnOutput(this, "RunAgain", new CfnOutputProps
        {
            Description = "Runs the database set-up again by hand",
            Value = Fn.Join("", [
                "aws ecs run-task --launch-type FARGATE --cluster ", cluster.ClusterName,
                " --task-definition ", TaskDefinition.TaskDefinitionArn,
                " --network-configuration 'awsvpcConfiguration={subnets=[", Fn.Join(",", subnets),
                "],securityGroups=[", securityGroup.SecurityGroupId, "]}'",
            ]),
        });
    }

    public FargateTaskDefinition TaskDefinition { get; }
}
