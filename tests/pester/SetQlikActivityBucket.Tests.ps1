#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Set-QlikActivityBucket through the built module (out/QlikActivity) against the QRS simulator
# (started as a process by TestQrsSimulator.psm1). The behaviour in depth (faults, 409s, Ctrl+C,
# throttling, every ctrl-q defect) is covered by tests/QlikActivity.Core.Tests/Activity/Buckets.
# Windows PowerShell 5.1 syntax throughout.

BeforeAll {
    $script:RepositoryRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../..')).Path
    $script:Configuration = if ($env:QLIKACTIVITY_CONFIGURATION) { $env:QLIKACTIVITY_CONFIGURATION } else { 'Release' }
    $script:ModulePath = [System.IO.Path]::Combine($script:RepositoryRoot, 'out', 'QlikActivity', 'QlikActivity.psd1')
    if (-not (Test-Path -LiteralPath $script:ModulePath)) {
        throw "The module is not built ($script:ModulePath): run dotnet build QlikActivity.sln -c $script:Configuration."
    }

    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'TestQrsSimulator.psm1') -Force
    $script:Simulator = Start-TestQrsSimulator -RepositoryRoot $script:RepositoryRoot -Configuration $script:Configuration -Users 200
    Import-Module -Name $script:ModulePath -Force -ErrorAction Stop
    $script:Connection = Connect-QlikSense -Server $script:Simulator.Server -Port $script:Simulator.Port -CertificatePath $script:Simulator.CertificateDirectory
    $script:Property = 'PesterActivity'
}

AfterAll {
    Get-Module -Name QlikActivity | Remove-Module -Force -ErrorAction SilentlyContinue
    Stop-TestQrsSimulator -Simulator $script:Simulator
}

Describe 'Set-QlikActivityBucket' {
    It 'shows what it would do with -WhatIf and writes nothing' {
        $run = Invoke-TestRecordedHost -ModulePath $script:ModulePath -Variables @{ Connection = $script:Connection; Property = $script:Property } -ScriptBlock {
            Set-QlikActivityBucket -Name $Property -Connection $Connection -WhatIf
        }
        $summary = $run.Output | Select-Object -Last 1
        # The definition and each planned user write are announced to the host, not printed into the log.
        @($run.HostLines | Where-Object { $_ -like 'What if:*' }).Count | Should -BeGreaterThan 1
        $summary | Should -BeOfType 'QlikActivity.Core.Activity.ActivityBucketSummary'
        $summary.DefinitionAction | Should -Be 'WhatIf'
        $summary.Updated | Should -Be 0
        $summary.NotWritten | Should -BeGreaterThan 0
        $summary.Requests.Put + $summary.Requests.Post + $summary.Requests.Delete | Should -Be 0
    }

    It 'creates the property, writes the changed users, and writes nothing the second time' {
        $first = Set-QlikActivityBucket -Name $script:Property
        $first.DefinitionAction | Should -Be 'Created'
        $first.Failed | Should -Be 0
        $first.Updated | Should -BeGreaterThan 0
        $first.Requests.Put | Should -Be $first.Updated

        $second = Set-QlikActivityBucket -Name $script:Property
        $second.DefinitionAction | Should -Be 'Unchanged'
        $second.Updated | Should -Be 0
        $second.Requests.Put | Should -Be 0
        $second.Unchanged + $second.Skipped | Should -Be $second.UsersInScope
    }

    It 'takes Get-QlikUserActivity output from the pipeline and emits one result per user with -PassThru' {
        $activity = @(Get-QlikUserActivity -UserDirectory LAB)
        $output = @($activity | Set-QlikActivityBucket -Name $script:Property -PassThru)
        $results = @($output | Where-Object { $_ -is [QlikActivity.Core.Activity.ActivityBucketResult] })
        $summary = $output[-1]
        $summary | Should -BeOfType 'QlikActivity.Core.Activity.ActivityBucketSummary'
        $results.Count | Should -Be $activity.Count
        $results | ForEach-Object { $_.User | Should -BeLike 'LAB\*' }
        $results | Where-Object Status -eq 'Failed' | Should -BeNullOrEmpty
    }

    It 'binds deserialized users by property name' {
        $copies = Get-QlikUserActivity -UserDirectory CORP | ForEach-Object {
            [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($_))
        }
        $summary = $copies | Set-QlikActivityBucket -Name $script:Property
        $summary.UsersInScope | Should -Be @($copies).Count
        $summary.Failed | Should -Be 0
    }

    It 'stops before writing when the property has other choice values, and -Force replaces them' {
        { Set-QlikActivityBucket -Name $script:Property -Bucket '7,30' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ActivityBucketDefinitionMismatch,QlikActivity.Commands.SetQlikActivityBucketCommand'

        $summary = Set-QlikActivityBucket -Name $script:Property -Bucket '7,30' -Force -Confirm:$false
        $summary.DefinitionAction | Should -Be 'Replaced'
        $summary.Failed | Should -Be 0
    }

    It 'refuses a bucket as the no-activity value' {
        { Set-QlikActivityBucket -Name $script:Property -NoActivityValue '365+' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ActivityBucketInvalidRequest,QlikActivity.Commands.SetQlikActivityBucketCommand'
    }
}
