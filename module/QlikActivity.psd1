@{
    RootModule           = 'QlikActivity.psm1'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Desktop', 'Core')
    GUID                 = '5b0c6f7e-4f0e-4d3a-9a55-2f7f1c8e6a11'
    Author               = 'QlikActivity contributors'
    CompanyName          = 'QlikActivity'
    Copyright            = '(c) QlikActivity contributors. MIT License.'
    Description          = 'Qlik Sense Enterprise on Windows user activity for admins: activity buckets in a user custom property, and lossless intake and forwarding of Proxy user events.'
    PowerShellVersion    = '5.1'
    FormatsToProcess     = @('QlikActivity.format.ps1xml')
    TypesToProcess       = @('QlikActivity.types.ps1xml')
    CmdletsToExport      = @(
        'Connect-QlikSense'
        'Disconnect-QlikSense'
        'Get-QlikUserActivity'
        'Get-QlikUserEvent'
        'Get-QlikUserSession'
        'Get-QlikAppActivity'
        'Set-QlikActivityBucket'
        'Start-QlikEventListener'
        'New-QlikLogAppenderConfig'
        'Send-QlikUserEvent'
        'New-QlikMqttDestination'
        'New-QlikInfluxDbDestination'
        'New-QlikNewRelicDestination'
        'New-QlikWebhookDestination'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Qlik', 'QlikSense', 'QSEoW', 'QRS', 'UserActivity', 'License', 'Butler', 'MQTT', 'InfluxDB', 'NewRelic', 'Windows', 'Linux')
            LicenseUri   = 'https://github.com/qlikactivity/QlikActivity/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/qlikactivity/QlikActivity'
            ReleaseNotes = @'
First release.
- Connect-QlikSense / Disconnect-QlikSense: certificate (PEM folder, PFX, Windows store) or JWT through a virtual proxy.
- Get-QlikUserActivity: last activity per user from every license type, the latest record wins.
- Set-QlikActivityBucket: keeps a user custom property set to activity buckets (1, 7, 14, 30, 90, 180, 365, 365+); writes only users whose bucket changed; -WhatIf.
- Start-QlikEventListener: receives Proxy session and connection events over UDP without losing them, emits objects and forwards them to MQTT, InfluxDB, New Relic and webhooks.
- New-QlikLogAppenderConfig and Send-QlikUserEvent: deploy and test the Proxy log appender.
- Runs in Windows PowerShell 5.1 and PowerShell 7.4+; help, tab completion and table views included.
'@
        }
    }
}
