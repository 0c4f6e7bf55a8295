using MyDocker.Engine.Containers;
using MyDocker.Engine.State;

namespace MyDocker.UnitTests.Containers;

/// <summary>A container's state reads as Docker's (moved from ContainerMappingTests with the code).</summary>
public class ContainerStatusTextTests
{
    [Theory]
    [InlineData(0.4, "Less than a second")]
    [InlineData(1.5, "1 second")]
    [InlineData(42, "42 seconds")]
    [InlineData(90, "About a minute")]
    [InlineData(600, "10 minutes")]
    [InlineData(4000, "About an hour")]
    [InlineData(3 * 3600, "3 hours")]
    [InlineData(3 * 86400, "3 days")]
    public void Durations_read_like_dockers(double seconds, string expected) =>
        Assert.Equal(expected, ContainerStatusText.HumanDuration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Status_says_up_exited_or_created()
    {
        var now = DateTimeOffset.Parse("2026-11-24T10:00:00Z");
        Container R(ContainerPhase phase) => ContainerStore.ToContainer(new()
        {
            Id = new string('a', 64), Name = "web", Image = "busybox", ImageId = "sha256:x", Phase = phase,
            Created = now.AddMinutes(-10), StartedAt = now.AddMinutes(-5), FinishedAt = now.AddSeconds(-3), ExitCode = 137,
        }, "n");
        Assert.Equal("Up 5 minutes", ContainerStatusText.Status(R(ContainerPhase.Running), now));
        Assert.Equal("Exited (137) 3 seconds ago", ContainerStatusText.Status(R(ContainerPhase.Exited), now));
        Assert.Equal("Created", ContainerStatusText.Status(R(ContainerPhase.Created), now));
    }

    [Theory]
    [InlineData(ContainerPhase.Creating, "created")]
    [InlineData(ContainerPhase.Created, "created")]
    [InlineData(ContainerPhase.Running, "running")]
    [InlineData(ContainerPhase.Exited, "exited")]
    [InlineData(ContainerPhase.Removing, "removing")]
    public void The_state_word_is_dockers(ContainerPhase phase, string expected) =>
        Assert.Equal(expected, ContainerStatusText.StateWord(phase));
}
