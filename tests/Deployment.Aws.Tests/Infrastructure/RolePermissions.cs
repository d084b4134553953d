using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.Assertions;

namespace Shop.Deployment.Aws.Tests.Infrastructure;

/// <summary>One allowed action on one resource, the resource rendered as text with its tokens spelled out.</summary>
public sealed record Permission(string Action, string Resource)
{
    public override string ToString() => $"{Action} on {Resource}";
}

/// <summary>
/// What a role's inline policies allow, read from the synthesised template: every Allow statement of every
/// AWS::IAM::Policy attached to the role, flattened to (action, resource) pairs. Resources built with Fn::Join keep their
/// literal parts (the queue and topic names), so a test can tell which queue a permission is for.
/// </summary>
public static class RolePermissions
{
    public static IReadOnlyList<Permission> Of(Template template, Stack stack, IRole role) =>
        Of(SynthesizedShop.Json(template), stack.GetLogicalId((CfnElement)role.Node.DefaultChild!));

    public static IReadOnlyList<Permission> Of(JsonObject template, string roleLogicalId)
    {
        var permissions = new List<Permission>();
        foreach (var (_, resource) in template["Resources"]!.AsObject())
        {
            if (resource!["Type"]!.GetValue<string>() != "AWS::IAM::Policy") continue;
            var properties = resource["Properties"]!;
            if (!properties["Roles"]!.AsArray().Any(r => r?["Ref"]?.GetValue<string>() == roleLogicalId)) continue;

            foreach (var statement in properties["PolicyDocument"]!["Statement"]!.AsArray())
            {
                if (statement!["Effect"]!.GetValue<string>() != "Allow") continue;
                foreach (var action in Many(statement["Action"]!))
                foreach (var target in Many(statement["Resource"]!))
                    permissions.Add(new Permission(Render(action), Render(target)));
            }
        }
        return permissions;
    }

    static IEnumerable<JsonNode> Many(JsonNode node) => node is JsonArray array ? array.Select(n => n!) : [node];

    /// <summary>Literals as they are; Fn::Join joined; Ref and Fn::GetAtt as <c>{Ref:X}</c> and <c>{GetAtt:X.Arn}</c>.</summary>
    public static string Render(JsonNode node) => node switch
    {
        JsonValue value => value.ToString(),
        JsonObject o when o["Fn::Join"] is JsonArray join =>
            string.Join(join[0]!.GetValue<string>(), join[1]!.AsArray().Select(part => Render(part!))),
        JsonObject o when o["Ref"] is { } reference => $"{{Ref:{reference}}}",
        JsonObject o when o["Fn::GetAtt"] is JsonArray getAtt => $"{{GetAtt:{string.Join(".", getAtt.Select(p => p!.ToString()))}}}",
        JsonObject o when o["Fn::ImportValue"] is { } import => $"{{Import:{Render(import)}}}",
        _ => node.ToJsonString(),
    };

    /// <summary>Whether the permission is for the SQS queue or SNS topic of that exact name (ARNs end in <c>:name</c>).</summary>
    public static bool IsFor(this Permission permission, string name) =>
        permission.Resource.EndsWith(":" + name, StringComparison.Ordinal);
}
