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
    CmdletsToExport      = @(
        'Connect-QlikSense'
        'Disconnect-QlikSense'
        'Get-QlikUserActivity'
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
            Tags         = @('Qlik', 'QlikSense', 'QSEoW', 'QRS', 'UserActivity', 'Butler', 'MQTT', 'InfluxDB')
            LicenseUri   = 'https://github.com/qlikactivity/QlikActivity/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/qlikactivity/QlikActivity'
            ReleaseNotes = 'First release: Connect-QlikSense, Get-QlikUserActivity, Set-QlikActivityBucket, Start-QlikEventListener and destinations.'
        }
    }
}
