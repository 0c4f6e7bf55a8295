namespace MyDocker.Engine.Containers;

/// <summary>A container's name and the MAC its eth0 was given (null: none), as pages name a lease's or a veth's owner
/// (<see cref="ContainerService.NamesAsync"/>).</summary>
public sealed record ContainerName(string Name, string? MacAddress);
