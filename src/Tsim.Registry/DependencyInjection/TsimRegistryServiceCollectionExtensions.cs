using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tsim.Registry;
using Tsim.Registry.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers a <see cref="RegistryManager"/> with dependency injection, as itself and as <see cref="IRegistryManager"/>,
/// <see cref="IHostRegistry"/>, <see cref="ILeaseRegistry"/> and <see cref="IRouterLocks"/>, all resolving to one singleton.
/// </summary>
public static class TsimRegistryServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="RegistryManager"/> configured from a whole configuration document (the
    /// specification's, or a tsim host's <c>config.json</c>) or from its <c>registry_manager</c> section (snake_case
    /// keys), validated at start-up. <see cref="RegistryManagerOptions.FromConfiguration"/> gives the rules.
    /// </summary>
    /// <param name="services">The services to add to.</param>
    /// <param name="configuration">
    /// The document (<c>builder.Configuration</c> with tsim's <c>config.json</c> added), or the section
    /// (<c>configuration.GetSection("registry_manager")</c>).
    /// </param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <remarks>
    /// The manager is created on first use and disposed with the container, which releases every lock it still
    /// holds. A registration made before this call wins: a <see cref="RegistryManager"/>, or an
    /// <see cref="IRegistryManager"/> (a test double), which the role interfaces then resolve to as well. An instance
    /// registered before this call stays its owner's to dispose; one registered after it replaces the class's
    /// registration but is reached by the interfaces through factories, so the container disposes it.
    /// </remarks>
    public static IServiceCollection AddTsimRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        AddCore(services).Configure(options => RegistryConfiguration.Bind(configuration, options));
        return services;
    }

    /// <summary>
    /// Adds a singleton <see cref="RegistryManager"/> configured in code, validated at start-up; resolved as itself and as
    /// its interfaces, like <see cref="AddTsimRegistry(IServiceCollection, IConfiguration)"/>.
    /// </summary>
    /// <param name="services">The services to add to.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IServiceCollection AddTsimRegistry(this IServiceCollection services, Action<RegistryManagerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        AddCore(services).Configure(configure);
        return services;
    }

    private static OptionsBuilder<RegistryManagerOptions> AddCore(IServiceCollection services)
    {
        // The same two validators the constructor runs; ValidateOnStart makes a host fail at start, not at first use.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RegistryManagerOptions>, RegistryManagerOptionsConsistencyValidator>());
        // The host's graceful shutdown disposes the container, and so the manager, once hosted jobs have stopped.
        services.TryAddSingleton(static provider => new RegistryManager(
            provider.GetRequiredService<IOptions<RegistryManagerOptions>>().Value,
            provider.GetService<ILogger<RegistryManager>>(),
            TimeProvider.System));

        // The interfaces are the same singleton, not instances of their own: one manager per container, one set of
        // held locks, one Dispose. The roles go through IRegistryManager so that a double registered for it serves them too.
        AddForwarding<IRegistryManager, RegistryManager>(services);
        AddForwarding<IHostRegistry, IRegistryManager>(services);
        AddForwarding<ILeaseRegistry, IRegistryManager>(services);
        AddForwarding<IRouterLocks, IRegistryManager>(services);
        return services.AddOptionsWithValidateOnStart<RegistryManagerOptions, RegistryManagerOptionsValidator>();
    }

    /// <summary>
    /// Registers <typeparamref name="TService"/> as whatever resolves <typeparamref name="TTarget"/>, unless it is
    /// registered already. An instance the user registered for the target is registered as that instance: the container
    /// disposes what a factory returns, but never an instance it was given, which stays its owner's to dispose.
    /// </summary>
    private static void AddForwarding<TService, TTarget>(IServiceCollection services)
        where TService : class
        where TTarget : class, TService
    {
        var target = services.LastOrDefault(descriptor => !descriptor.IsKeyedService && descriptor.ServiceType == typeof(TTarget));
        services.TryAdd(target?.ImplementationInstance is TService instance
            ? ServiceDescriptor.Singleton(instance)
            : ServiceDescriptor.Singleton<TService>(static provider => provider.GetRequiredService<TTarget>()));
    }
}
