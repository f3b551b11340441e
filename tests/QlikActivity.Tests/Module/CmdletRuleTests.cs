using System.Linq;
using QlikActivity.Tests.Module.Specimens;
using Xunit;

namespace QlikActivity.Tests.Module
{
    /// <summary>The convention checks catch what they should (so a passing module check means something).</summary>
    public class CmdletRuleTests
    {
        private static CmdletMetadata Of<T>() => CmdletMetadata.From(typeof(T))!;

        [Fact]
        public void Approved_verbs_come_from_the_Verbs_classes()
        {
            Assert.Contains("Get", CmdletRules.ApprovedVerbs);
            Assert.Contains("Connect", CmdletRules.ApprovedVerbs);
            Assert.Contains("Send", CmdletRules.ApprovedVerbs);
            Assert.Contains("Start", CmdletRules.ApprovedVerbs);
            Assert.DoesNotContain("Modify", CmdletRules.ApprovedVerbs);
            Assert.True(CmdletRules.ApprovedVerbs.Count > 90);
        }

        [Fact]
        public void A_well_made_cmdlet_breaks_no_rule()
        {
            Assert.Empty(CmdletRules.All(Of<SetQlikSpecimenCommand>()));
            Assert.Empty(CmdletRules.All(Of<NewQlikObjectSpecimenCommand>()));
        }

        [Fact]
        public void Attributes_are_read_from_metadata_not_from_the_stub_instances()
        {
            var c = Of<GetQlikReadSpecimenCommand>();
            Assert.Equal("Get", c.Verb);
            Assert.Equal("QlikReadSpecimen", c.Noun);
            Assert.True(c.SupportsShouldProcess);
            Assert.Equal(System.Management.Automation.ConfirmImpact.High, c.ConfirmImpact);
        }

        [Fact]
        public void Unapproved_verb_plural_noun_and_missing_output_type_are_reported()
        {
            var c = Of<ModifyQlikSpecimensCommand>();
            Assert.Single(CmdletRules.Verb(c));
            Assert.Contains(CmdletRules.Noun(c), m => m.Contains("singular"));
            Assert.Single(CmdletRules.OutputType(c));
        }

        [Fact]
        public void Class_name_must_match_verb_and_noun()
        {
            Assert.Contains(CmdletRules.Noun(Of<SomethingElseCommand>()), m => m.Contains("SetQlikWrongClassCommand"));
        }

        [Fact]
        public void Set_without_ShouldProcess_is_reported()
        {
            Assert.Single(CmdletRules.ShouldProcess(Of<SetQlikUnsafeSpecimenCommand>()));
        }

        [Fact]
        public void A_reading_cmdlet_must_not_ask_to_confirm_and_High_is_for_destroying()
        {
            var messages = CmdletRules.ShouldProcess(Of<GetQlikReadSpecimenCommand>()).ToList();
            Assert.Contains(messages, m => m.Contains("only reads"));
            Assert.Contains(messages, m => m.Contains("High"));
        }

        [Fact]
        public void New_that_writes_a_file_needs_ShouldProcess_but_New_in_memory_does_not()
        {
            Assert.Single(CmdletRules.ShouldProcess(Of<NewQlikFileSpecimenCommand>()));
            Assert.Empty(CmdletRules.ShouldProcess(Of<NewQlikObjectSpecimenCommand>()));
        }

        [Fact]
        public void ConfirmImpact_without_ShouldProcess_is_reported()
        {
            Assert.Single(CmdletRules.ShouldProcess(Of<ConnectQlikSessionSpecimenCommand>()));
        }

        [Fact]
        public void OutputType_by_string_is_reported()
        {
            Assert.Contains(CmdletRules.OutputType(Of<GetQlikReadSpecimenCommand>()), m => m.Contains("typeof"));
        }

        [Fact]
        public void Numbers_without_a_range_and_plain_text_secrets_are_reported()
        {
            var messages = CmdletRules.ParameterValidation(Of<SetQlikUnsafeSpecimenCommand>()).ToList();
            Assert.Contains(messages, m => m.Contains("-Count") && m.Contains("ValidateRange"));
            Assert.Contains(messages, m => m.Contains("-ApiKey") && m.Contains("SecureString"));
            Assert.Equal(2, messages.Count);
        }
    }
}
