package controllers

import "context"

func (f *failingProvider) StopServer(context.Context, string) error  { return f.err }
func (f *failingProvider) StartServer(context.Context, string) error { return f.err }
