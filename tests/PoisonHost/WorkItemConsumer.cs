using MassTransit;

namespace Shop.PoisonHost;

public sealed record WorkItem(Guid Id, bool Poison);

/// <summary>Records each work item it handles; a poison one ends the process at once, as a native crash would.</summary>
public sealed class WorkItemConsumer(ConsumedLog log) : IConsumer<WorkItem>
{
    public Task Consume(ConsumeContext<WorkItem> context)
    {
        if (context.Message.Poison)
            Environment.FailFast($"poison work item {context.Message.Id}");
        log.Add(context.Message.Id);
        return Task.CompletedTask;
    }
}

/// <summary>Ids of consumed items, one a line, appended and flushed before the message is acknowledged.</summary>
public sealed class ConsumedLog(string path)
{
    readonly Lock _gate = new();

    public void Add(Guid id)
    {
        lock (_gate)
            File.AppendAllText(path, id.ToString("D") + Environment.NewLine);
    }
}
