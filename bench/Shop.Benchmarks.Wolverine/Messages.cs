using Microsoft.EntityFrameworkCore;

namespace Shop.Benchmarks.Wolverine;

// The same shapes as the parent's Payload and Processed.
public sealed record Payload(Guid Id, string Data);
public sealed record Processed(Guid Id);

public sealed class BusinessRow
{
    public Guid Id { get; set; }
    public string Data { get; set; } = "";
}

/// <summary>The business table of scenario 3; Wolverine adds its envelope mapping to this model itself.</summary>
public sealed class PeerDbContext(DbContextOptions<PeerDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<BusinessRow>(row =>
        {
            row.ToTable("business_rows");
            row.HasKey(x => x.Id);
            row.Property(x => x.Id).HasColumnName("id");
            row.Property(x => x.Data).HasColumnName("data");
        });
}

public sealed class Counter
{
    int _count;
    public TaskCompletionSource Done { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public int Target { get; private set; }
    public Shop.Benchmarks.Progress? Progress { get; set; }

    public void Restart(int target)
    {
        Done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Target = target;
        Volatile.Write(ref _count, 0);
    }

    public void Increment()
    {
        var count = Interlocked.Increment(ref _count);
        Progress?.Report(count);
        if (count == Target)
            Done.TrySetResult();
    }
}

/// <summary>Scenario 2's consumer: counts.</summary>
public static class PlainPayloadHandler
{
    public static void Handle(Payload message, Counter counter) => counter.Increment();
}

/// <summary>
/// Scenario 3's consumer: one business row and one outgoing message. Wolverine's EF Core transaction middleware calls
/// SaveChanges and commits; the returned message is cascaded through the durable outbox in that transaction.
/// </summary>
public static class DurablePayloadHandler
{
    public static Processed Handle(Payload message, PeerDbContext db, Counter counter)
    {
        db.Add(new BusinessRow { Id = message.Id, Data = message.Data });
        counter.Increment();
        return new Processed(message.Id);
    }
}
