using MassTransit;

namespace Shop.ProductImages.StateMachines;

/// <summary>
/// One branch of an image's processing (thumbnails, metadata) as <see cref="ImageProcessingStateMachine"/> sees it: the
/// events that end it, the saga's fields that say where it is, and its bit in the join. The machine builds every branch's
/// behaviour from this description, so the shape of a branch is written once.
/// </summary>
/// <typeparam name="TAnswer">The worker's answer.</typeparam>
/// <typeparam name="TCommand">The command the branch sends the worker; its fault ends the branch.</typeparam>
/// <typeparam name="TTimedOut">The timeout the saga schedules to itself with the command.</typeparam>
sealed class ImageBranch<TAnswer, TCommand, TTimedOut>
    where TAnswer : class
    where TCommand : class
    where TTimedOut : class
{
    /// <summary>The branch's bit in the composite event's record (<see cref="ImageProcessingState.AnsweredBranches"/>).</summary>
    public required int Bit { get; init; }

    public required Event<TAnswer> Answered { get; init; }
    public required Event<Fault<TCommand>> Faulted { get; init; }
    public required Schedule<ImageProcessingState, TTimedOut> Timeout { get; init; }

    /// <summary>Raised once per run when the branch has ended, however it ended.</summary>
    public required Event Ended { get; init; }

    /// <summary>The attempt each message names (0 in an answer from a worker that does not say).</summary>
    public required Func<TAnswer, int> AnswerAttempt { get; init; }

    public required Func<TCommand, int> CommandAttempt { get; init; }
    public required Func<TTimedOut, int> TimeoutAttempt { get; init; }

    /// <summary>The branch's state and reason, as an answer leaves them.</summary>
    public required Func<TAnswer, (string State, string? Reason)> Outcome { get; init; }

    /// <summary>Stores the answer on the image.</summary>
    public required Func<IStateMachineActivitySelector<ImageProcessingState, TAnswer>, EventActivityBinder<ImageProcessingState, TAnswer>>
        Record { get; init; }

    public required string TimeoutReason { get; init; }

    public required Func<ImageProcessingState, string> StateOf { get; init; }
    public required Func<ImageProcessingState, int> AttemptOf { get; init; }

    /// <summary>Sets the branch's state and reason fields.</summary>
    public required Action<ImageProcessingState, string, string?> Set { get; init; }

    public required Action<ImageProcessingState, int> SetAttempt { get; init; }

    /// <summary>
    /// Whether an answer ends the branch now: it is still running and the answer is to its current attempt (0: a
    /// worker that does not say, taken as the current one). Anything else is a duplicate or an answer to an earlier run.
    /// </summary>
    public bool Answers(ImageProcessingState saga, int answered) => StateOf(saga) == BranchState.Running && IsCurrent(saga, answered);

    /// <summary>Whether an answer comes after the branch timed out, to the attempt that timed out.</summary>
    public bool AnswersLate(ImageProcessingState saga, int answered) => StateOf(saga) == BranchState.TimedOut && IsCurrent(saga, answered);

    public void End(ImageProcessingState saga, string state, string? reason) => Set(saga, state, BranchState.Reason(reason));

    public void End(ImageProcessingState saga, TAnswer answer)
    {
        var (state, reason) = Outcome(answer);
        End(saga, state, reason);
    }

    /// <summary>Runs the branch again, under its next attempt number, when <paramref name="branches"/> has its bit.</summary>
    public void Restart(ImageProcessingState saga, int branches)
    {
        if ((branches & Bit) == 0)
            return;

        Set(saga, BranchState.Running, null);
        SetAttempt(saga, AttemptOf(saga) + 1);
    }

    bool IsCurrent(ImageProcessingState saga, int answered) => answered == 0 || answered == AttemptOf(saga);
}
