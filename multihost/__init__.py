"""Support code for the docker-multihost Pulumi program: configuration, host scripts, ping parsing."""
