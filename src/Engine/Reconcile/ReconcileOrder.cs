using Microsoft.Extensions.DependencyInjection;
using MyDocker.Engine.Reconcile.ContainerSteps;
using MyDocker.Engine.Reconcile.NetworkSteps;

namespace MyDocker.Engine.Reconcile;

/// <summary>
/// The order in which a reconcile runs its steps (DESIGN.md §4.4), and why:
/// <list type="number">
/// <item><see cref="NetworkRecordsStep"/>: half-made networks rolled back, half-removed ones finished, so that every
/// later step sees only Ready networks.</item>
/// <item><see cref="BridgesStep"/>: the live networks' address pools and bridges; takes the one kernel dump the next
/// step uses.</item>
/// <item><see cref="OrphanDevicesStep"/>: engine-marked bridges no live network owns.</item>
/// <item><see cref="ContainerRecordsStep"/>: half-made containers rolled back, half-removed ones finished, once their
/// networks' pools and bridges are in place; leaves the settled containers to the next steps.</item>
/// <item><see cref="AttachmentsStep"/>: connects and disconnects a crash cut short, rolled back or finished, before the
/// endpoints that remain are repaired.</item>
/// <item><see cref="RootfsStep"/>, <see cref="EndpointsStep"/>, <see cref="PublishedPortsStep"/>: each settled
/// container's rootfs mount, netns and veth, host ports.</item>
/// <item><see cref="ProcessStateStep"/>: records against the runtime, once a start it finishes has its rootfs, network
/// and ports.</item>
/// <item><see cref="NamesStep"/>: the resolver gets the running containers' names, once their states are settled.</item>
/// <item>What no container owns (left to the background at start-up, one orphan removal at a time):
/// <see cref="RuntimeOrphansStep"/> first, so no orphan process still uses what the next ones remove, then
/// <see cref="VethOrphansStep"/>, <see cref="NetnsOrphansStep"/>, <see cref="ContainerDirectoriesStep"/> (rootfs mounts,
/// then directories), <see cref="LeaseOrphansStep"/>, <see cref="ImageStoreStep"/>.</item>
/// <item><see cref="OrphanPoolsStep"/>: address pools of networks that are gone, after the containers released theirs.</item>
/// <item><see cref="FirewallStep"/>: the table, from the live networks and the running containers' ports.</item>
/// <item><see cref="ForeignFirewallStep"/>: another tool's FORWARD chain and IPv4 forwarding, after our own table
/// isolates the bridges they let through.</item>
/// </list>
/// </summary>
public static class ReconcileOrder
{
    public static readonly IReadOnlyList<Type> Steps =
    [
        typeof(NetworkRecordsStep), typeof(BridgesStep), typeof(OrphanDevicesStep),
        typeof(ContainerRecordsStep), typeof(AttachmentsStep), typeof(RootfsStep), typeof(EndpointsStep), typeof(PublishedPortsStep), typeof(ProcessStateStep),
        typeof(NamesStep),
        typeof(RuntimeOrphansStep), typeof(VethOrphansStep), typeof(NetnsOrphansStep), typeof(ContainerDirectoriesStep),
        typeof(LeaseOrphansStep), typeof(ImageStoreStep),
        typeof(OrphanPoolsStep), typeof(FirewallStep), typeof(ForeignFirewallStep),
    ];

    /// <summary>The steps, in order, built from <paramref name="services"/>; <paramref name="only"/> picks some of them
    /// (the unit tests run the network steps alone).</summary>
    public static IReadOnlyList<IReconcileStep> Create(IServiceProvider services, Func<Type, bool>? only = null) =>
        [.. Steps.Where(only ?? (_ => true)).Select(t => (IReconcileStep)ActivatorUtilities.CreateInstance(services, t))];
}
