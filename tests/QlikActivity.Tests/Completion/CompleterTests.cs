using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Completion;
using QlikActivity.Core;
using QlikActivity.Core.Qrs;
using Xunit;

namespace QlikActivity.Tests.Completion
{
    /// <summary>Completers share static state (the default source); run their tests one after another.</summary>
    [CollectionDefinition(nameof(CompletionState), DisableParallelization = true)]
    public sealed class CompletionState
    {
    }

    [Collection(nameof(CompletionState))]
    public sealed class CompleterTests : IDisposable
    {
        public void Dispose()
        {
            QrsNameCompletion.DefaultSource = () => null;
            QrsNameCompletion.Timeout = TimeSpan.FromSeconds(5);
        }

        private static string[] Values(ValueListCompleter completer, string typed, IDictionary? bound = null) =>
            completer.Complete(typed, bound).Select(c => c.Value).ToArray();

        [Fact]
        public void License_types_are_the_five_the_repository_knows()
        {
            Assert.Equal(new[] { "Professional", "Analyzer", "User", "Login", "AnalyzerTime" }, Values(new LicenseTypeCompleter(), ""));
            Assert.Equal(new[] { "Analyzer", "AnalyzerTime" }, Values(new LicenseTypeCompleter(), "ana"));
            Assert.Equal(new[] { "Login" }, Values(new LicenseTypeCompleter(), "'lo"));
            Assert.All(new LicenseTypeCompleter().Complete("", null), c => Assert.Contains("license/", c.ToolTip));
        }

        [Fact]
        public void Event_types_are_the_four_the_proxy_sends()
        {
            Assert.Equal(new[] { "SessionStart", "SessionStop", "ConnectionOpen", "ConnectionClose" }, Values(new EventTypeCompleter(), ""));
            Assert.Equal(new[] { "SessionStart", "SessionStop" }, Values(new EventTypeCompleter(), "session"));
            Assert.All(new EventTypeCompleter().Complete("", null), c => Assert.Contains("'", c.ToolTip));
        }

        [Fact]
        public void Bucket_presets_insert_as_bare_arrays()
        {
            var presets = new BucketPresetCompleter().Complete("", null);
            Assert.Contains(presets, p => p.Value == "1,7,14,30,90,180,365");
            Assert.Contains(presets, p => p.Value == "7,30,90,365");
            Assert.Contains(presets, p => p.Value == "30,60,90,180,365");
            Assert.All(presets, p => Assert.Equal(p.Value, p.CompletionText(allowComma: true)));
            Assert.All(presets, p => Assert.Matches(@"^\d+(,\d+)*$", p.Value));
            Assert.All(presets, p => Assert.True(p.Value.Split(',').Select(int.Parse).SequenceEqual(p.Value.Split(',').Select(int.Parse).OrderBy(d => d)), "ascending"));
            Assert.Equal(new[] { "30,60,90,180,365" }, Values(new BucketPresetCompleter(), "30"));
        }

        [Fact]
        public void Values_that_PowerShell_would_split_are_quoted()
        {
            Assert.Equal("'Last activity'", new CompletionCandidate("Last activity").CompletionText(false));
            Assert.Equal("'It''s'", new CompletionCandidate("It's").CompletionText(false));
            Assert.Equal("'a,b'", new CompletionCandidate("a,b").CompletionText(false));
            Assert.Equal("'-x'", new CompletionCandidate("-x").CompletionText(false));
            Assert.Equal("LAB", new CompletionCandidate("LAB").CompletionText(false));
            Assert.Equal("analyzer-time", new CompletionCandidate("analyzer-time").CompletionText(false));
        }

        [Fact]
        public void Without_a_connection_the_repository_completers_offer_nothing()
        {
            Assert.Empty(Values(new UserDirectoryCompleter(), ""));
            Assert.Empty(Values(new CustomPropertyNameCompleter(), ""));
        }

        [Fact]
        public void User_directories_come_from_the_default_connection_and_are_cached()
        {
            var source = new FakeSource(directories: new[] { "LAB", "INTERNAL", "CORP" });
            QrsNameCompletion.DefaultSource = () => source;
            Assert.Equal(new[] { "CORP", "INTERNAL", "LAB" }, Values(new UserDirectoryCompleter(), ""));
            Assert.Equal(new[] { "LAB" }, Values(new UserDirectoryCompleter(), "la"));
            Assert.Equal(1, source.DirectoryCalls);
        }

        [Fact]
        public void A_connection_typed_in_the_command_wins_over_the_default()
        {
            QrsNameCompletion.DefaultSource = () => new FakeSource(properties: new[] { "Default" });
            var typed = new FakeSource(properties: new[] { "Activity", "Department" });
            var bound = new Hashtable { ["Connection"] = typed };
            Assert.Equal(new[] { "Activity", "Department" }, Values(new CustomPropertyNameCompleter(), "", bound));
            Assert.Equal("'Last activity'", new CustomPropertyNameCompleter().Complete("", new Hashtable { ["Connection"] = new FakeSource(properties: new[] { "Last activity" }) }).Single().CompletionText(false));
        }

        [Fact]
        public void A_repository_that_fails_or_does_not_answer_gives_no_names_and_no_error()
        {
            QrsNameCompletion.Timeout = TimeSpan.FromMilliseconds(200);
            QrsNameCompletion.DefaultSource = () => new FakeSource(hang: true);
            Assert.Empty(Values(new UserDirectoryCompleter(), ""));
            QrsNameCompletion.DefaultSource = () => new FakeSource(fail: true);
            Assert.Empty(Values(new CustomPropertyNameCompleter(), ""));
        }

        private sealed class FakeSource : IQrsNameSource
        {
            private readonly string[] _directories;
            private readonly string[] _properties;
            private readonly bool _hang;
            private readonly bool _fail;

            public FakeSource(string[]? directories = null, string[]? properties = null, bool hang = false, bool fail = false)
            {
                _directories = directories ?? Array.Empty<string>();
                _properties = properties ?? Array.Empty<string>();
                _hang = hang;
                _fail = fail;
            }

            public int DirectoryCalls { get; private set; }

            public async Task<IReadOnlyList<string>> GetUserDirectoriesAsync(CancellationToken cancellationToken)
            {
                DirectoryCalls++;
                return await Answer(_directories, cancellationToken);
            }

            public Task<IReadOnlyList<string>> GetUserCustomPropertyNamesAsync(CancellationToken cancellationToken) =>
                Answer(_properties, cancellationToken);

            private async Task<IReadOnlyList<string>> Answer(string[] names, CancellationToken cancellationToken)
            {
                if (_hang)
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }

                if (_fail)
                {
                    await Task.Yield();
                    throw new QlikActivity.Core.QlikActivityException("The repository refused the request.", "QrsRefused", QlikActivity.Core.OperationErrorCategory.PermissionDenied);
                }

                return names;
            }
        }
    }
}
