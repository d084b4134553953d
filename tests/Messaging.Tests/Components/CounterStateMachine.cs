using MassTransit;

namespace Shop.Messaging.Tests.Components;

public sealed record StartCounter(Guid CounterId);
public sealed record IncrementCounter(Guid CounterId);
public sealed record RemindCounter(Guid CounterId, TimeSpan After);
public sealed record CancelReminder(Guid CounterId);
public sealed record CounterReminderDue(Guid CounterId);
public sealed record CounterReminded(Guid CounterId);

public sealed class CounterState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public int Count { get; set; }
    public Guid? ReminderTokenId { get; set; }
    public bool Reminded { get; set; }
}

/// <summary>A small saga that exercises the repository's locking and the scheduler's Schedule/Unschedule.</summary>
public sealed class CounterStateMachine : MassTransitStateMachine<CounterState>
{
    public CounterStateMachine()
    {
        InstanceState(x => x.CurrentState);

        Event(() => Started, e => e.CorrelateById(m => m.Message.CounterId));
        Event(() => Incremented, e => e.CorrelateById(m => m.Message.CounterId));
        Event(() => RemindRequested, e => e.CorrelateById(m => m.Message.CounterId));
        Event(() => ReminderCancelled, e => e.CorrelateById(m => m.Message.CounterId));
        Schedule(() => Reminder, x => x.ReminderTokenId, s => s.Received = r => r.CorrelateById(m => m.Message.CounterId));

        Initially(
            When(Started).TransitionTo(Active));

        During(Active,
            When(Incremented).Then(context => context.Saga.Count++),
            When(RemindRequested)
                .Schedule(Reminder, context => new CounterReminderDue(context.Saga.CorrelationId), context => context.Message.After),
            When(ReminderCancelled).Unschedule(Reminder),
            When(Reminder!.Received)
                .Then(context => context.Saga.Reminded = true)
                .Publish(context => new CounterReminded(context.Saga.CorrelationId)));
    }

    public State Active { get; private set; } = null!;
    public Event<StartCounter> Started { get; private set; } = null!;
    public Event<IncrementCounter> Incremented { get; private set; } = null!;
    public Event<RemindCounter> RemindRequested { get; private set; } = null!;
    public Event<CancelReminder> ReminderCancelled { get; private set; } = null!;
    public Schedule<CounterState, CounterReminderDue> Reminder { get; private set; } = null!;
}
