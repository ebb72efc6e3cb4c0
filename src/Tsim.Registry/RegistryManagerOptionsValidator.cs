using Microsoft.Extensions.Options;

namespace Tsim.Registry;

/// <summary>Checks the data-annotation rules of <see cref="RegistryManagerOptions"/> (body generated).</summary>
[OptionsValidator]
internal sealed partial class RegistryManagerOptionsValidator : IValidateOptions<RegistryManagerOptions>;
