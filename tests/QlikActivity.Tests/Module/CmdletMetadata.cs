using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Reflection;

namespace QlikActivity.Tests.Module
{
    /// <summary>
    /// Reads cmdlet attributes from metadata (<see cref="CustomAttributeData"/>): the
    /// PowerShellStandard stub's attribute classes load but do not keep their values, so
    /// instantiating them would report defaults.
    /// </summary>
    internal sealed class CmdletMetadata
    {
        private CmdletMetadata(Type type, CustomAttributeData cmdlet)
        {
            Type = type;
            Verb = (string)cmdlet.ConstructorArguments[0].Value!;
            Noun = (string)cmdlet.ConstructorArguments[1].Value!;
            SupportsShouldProcess = Named(cmdlet, "SupportsShouldProcess") is bool b && b;
            object? impact = Named(cmdlet, "ConfirmImpact");
            ConfirmImpact = impact == null ? null : (ConfirmImpact)(int)impact;
            DefaultParameterSetName = Named(cmdlet, "DefaultParameterSetName") as string;
            OutputTypes = type.GetCustomAttributesData()
                .Where(a => a.AttributeType == typeof(OutputTypeAttribute))
                .SelectMany(a => a.ConstructorArguments)
                .SelectMany(Flatten)
                .ToList();
            Parameters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.GetCustomAttributesData().Any(a => a.AttributeType == typeof(ParameterAttribute)))
                .Select(p => new ParameterMetadata(p))
                .ToList();
        }

        public Type Type { get; }
        public string Verb { get; }
        public string Noun { get; }
        public string Name => Verb + "-" + Noun;
        public bool SupportsShouldProcess { get; }

        /// <summary>Null when the attribute does not set it (PowerShell then uses Medium).</summary>
        public ConfirmImpact? ConfirmImpact { get; }

        public string? DefaultParameterSetName { get; }

        /// <summary>Types named by [OutputType(typeof(...))]; type names given as strings are returned as null-typed entries.</summary>
        public IReadOnlyList<OutputTypeEntry> OutputTypes { get; }

        public IReadOnlyList<ParameterMetadata> Parameters { get; }

        public static CmdletMetadata? From(Type type)
        {
            var attribute = type.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType == typeof(CmdletAttribute));
            return attribute == null || type.IsAbstract ? null : new CmdletMetadata(type, attribute);
        }

        /// <summary>Every concrete [Cmdlet] class in an assembly.</summary>
        public static IReadOnlyList<CmdletMetadata> All(Assembly assembly) =>
            assembly.GetTypes().Select(From).Where(m => m != null).Select(m => m!).OrderBy(m => m.Name, StringComparer.Ordinal).ToList();

        internal static object? Named(CustomAttributeData attribute, string name) =>
            attribute.NamedArguments.Where(n => n.MemberName == name).Select(n => n.TypedValue.Value).FirstOrDefault();

        private static IEnumerable<OutputTypeEntry> Flatten(CustomAttributeTypedArgument argument)
        {
            if (argument.Value is IEnumerable<CustomAttributeTypedArgument> array)
            {
                foreach (var item in array)
                {
                    foreach (var entry in Flatten(item))
                    {
                        yield return entry;
                    }
                }
            }
            else if (argument.Value is Type type)
            {
                yield return new OutputTypeEntry(type.FullName!, type);
            }
            else if (argument.Value is string name)
            {
                yield return new OutputTypeEntry(name, null);
            }
        }

        public override string ToString() => Name;
    }

    internal sealed record OutputTypeEntry(string TypeName, Type? Type);

    internal sealed class ParameterMetadata
    {
        public ParameterMetadata(PropertyInfo property)
        {
            Property = property;
            Attributes = property.GetCustomAttributesData();
            ParameterAttributes = Attributes.Where(a => a.AttributeType == typeof(ParameterAttribute)).ToList();
        }

        public PropertyInfo Property { get; }
        public string Name => Property.Name;
        public Type Type => Property.PropertyType;
        public IList<CustomAttributeData> Attributes { get; }
        public IReadOnlyList<CustomAttributeData> ParameterAttributes { get; }

        public bool Mandatory => ParameterAttributes.Any(a => CmdletMetadata.Named(a, "Mandatory") is bool b && b);

        public bool Has<TAttribute>() => Attributes.Any(a => typeof(TAttribute).IsAssignableFrom(a.AttributeType));

        public IEnumerable<CustomAttributeData> Of<TAttribute>() => Attributes.Where(a => typeof(TAttribute).IsAssignableFrom(a.AttributeType));

        public override string ToString() => Name;
    }
}
