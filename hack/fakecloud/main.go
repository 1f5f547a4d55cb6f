// Command fakecloud serves the cloud simulator standalone, for demos and
// end-to-end runs: go run ./hack/fakecloud [-addr 127.0.0.1:8080] [-servers 3]
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/serverimage-operator/serverimage-operator/internal/fakecloud"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	servers := flag.Int("servers", 3, "number of ACTIVE servers to create")
	useTLS := flag.Bool("tls", false, "serve https with a self-signed certificate")
	maxMV := flag.String("max-microversion", "", "highest compute microversion (default 2.96)")
	queued := flag.Duration("queued-for", 2*time.Second, "how long a snapshot stays queued")
	saving := flag.Duration("saving-for", 5*time.Second, "how long a snapshot stays saving")
	cloudName := flag.String("cloud", "fakecloud", "cloud name in the printed clouds.yaml")
	flag.Parse()

	c, err := fakecloud.Start(fakecloud.Options{
		Addr:            *addr,
		TLS:             *useTLS,
		MaxMicroversion: *maxMV,
		QueuedFor:       *queued,
		SavingFor:       *saving,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	o := c.Options()
	fmt.Printf("fakecloud serving %s\n\n", c.URL())
	fmt.Printf("identity (auth_url): %s\n", c.IdentityURL())
	fmt.Printf("compute:             %s (legacy form %s)\n", c.ComputeURL(), c.LegacyComputeURL())
	fmt.Printf("image:               %s\n", c.ImageURL())
	fmt.Printf("region:              %s, max microversion %s\n\n", o.Region, o.MaxMicroversion)
	fmt.Printf("user:        %s / %s (domain Default), project %s (%s)\n", o.Username, o.Password, o.ProjectName, o.ProjectID)
	fmt.Printf("app cred:    id %s, secret %s\n\n", o.AppCredID, o.AppCredSecret)
	fmt.Println("servers:")
	for i := range *servers {
		s := c.AddServer(fakecloud.Server{Name: fmt.Sprintf("demo-%d", i+1)})
		fmt.Printf("  %s  %s  %s\n", s.ID, s.Name, s.Status)
	}
	fmt.Printf("\nclouds.yaml:\n%s\n", c.CloudsYAML(*cloudName))
	printOtherDialects(c)
	if *useTLS {
		fmt.Printf("CA certificate (save as cacert):\n%s\n", c.CACertPEM())
	}
	fmt.Println("Ctrl-C to stop.")

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
}
