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
/// database, owned by that login and closed to every other but the reads granted (Orders.Api's login may read the read
/// model, SELECT only): run on each deployment that changes it, and idempotent.
/// The services then apply their own migrations at start.
/// </summary>
public sealed class DatabaseSetupTask : Construct
{
    public const string Image = "public.ecr.aws/docker/library/postgres:15-alpine";

    // psql variables (:'name') quote every value, so no login or password is ever spliced into SQL text. RDS's
    // administrator is no superuser: it may not even name the SUPERUSER attribute (a role it creates never has it).
    const string Functions = """
        set -eu
        create() {
          psql -v ON_ERROR_STOP=1 -v login="$1" -v db="$2" -v password="$3" <<'SQL'
        SELECT format('CREATE ROLE %I LOGIN', :'login') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'login') \gexec
        SELECT format('ALTER ROLE %I WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD %L', :'login', :'password') \gexec
        SELECT format('GRANT %I TO %I', :'login', current_user) \gexec
        SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'login') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
        SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db') \gexec
        SQL
        }
        # Another service's login may read this database: connect, and SELECT on the owner's tables, now and later.
        grant_read() {
          psql -v ON_ERROR_STOP=1 -v reader="$1" -v db="$3" <<'SQL'
        SELECT format('GRANT CONNECT ON DATABASE %I TO %I', :'db', :'reader') \gexec
        SQL
          psql -v ON_ERROR_STOP=1 -d "$3" -v reader="$1" -v owner="$2" <<'SQL'
        REVOKE CREATE ON SCHEMA public FROM PUBLIC;
        SELECT format('GRANT USAGE ON SCHEMA public TO %I', :'reader') \gexec
        SELECT format('GRANT SELECT ON ALL TABLES IN SCHEMA public TO %I', :'reader') \gexec
        SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT SELECT ON TABLES TO %I', :'owner', :'reader') \gexec
        SQL
        }
        """;

    /// <summary>
    /// The set-up script: a login and a database per service, the password of each from the environment variable
    /// <see cref="PasswordVariable"/> names, then the read grants. Run by <c>sh</c> with psql's <c>PG*</c> variables
    /// pointing at the administrator's connection.
    /// </summary>
    public static string Script(IEnumerable<(string Login, string Database, string PasswordVariable)> logins,
        IEnumerable<(string Reader, string Owner, string Database)> reads)
    {
        var script = new System.Text.StringBuilder(Functions);
        foreach (var (login, database, variable) in logins)
            script.Append($"\ncreate {login} {database} \"${variable}\"");
        foreach (var (reader, owner, database) in reads)
            script.Append($"\ngrant_read {reader} {owner} {database}");
        return script.ToString();
    }

    public static string PasswordVariable(ShopService service) => "PASSWORD_" + service.Name.ToUpperInvariant();

    public DatabaseSetupTask(Construct scope, string id, DeploymentSettings settings, ICluster cluster, IVpc vpc,
        ISecurityGroup securityGroup, DataStack data) : base(scope, id)
    {
        TaskDefinition = new FargateTaskDefinition(this, "Task", new FargateTaskDefinitionProps { Cpu = 256, MemoryLimitMiB = 512 });

        var secrets = new Dictionary<string, Amazon.CDK.AWS.ECS.Secret>
        {
            ["PGPASSWORD"] = Amazon.CDK.AWS.ECS.Secret.FromSecretsManager(data.Database.Secret!, "password"),
            ["PGUSER"] = Amazon.CDK.AWS.ECS.Secret.FromSecretsManager(data.Database.Secret!, "username"),
        };
        foreach (var service in settings.DatabaseServices)
            secrets[PasswordVariable(service)] = Amazon.CDK.AWS.ECS.Secret.FromSecretsManager(data.ServiceLogins[service], "password");
        var script = Script(
            settings.DatabaseServices.Select(s => (s.DatabaseLogin, s.DatabaseName, PasswordVariable(s))),
            settings.DatabaseReads.Select(r => (r.Reader.DatabaseLogin, r.Owner.DatabaseLogin, r.Owner.DatabaseName)));

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
