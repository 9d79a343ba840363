package rabbitmq

import (
	"fmt"

	"github.com/ThreeDotsLabs/watermill"
	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v2/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"
	amqp "github.com/rabbitmq/amqp091-go"
)

// NewPoisonPublisher publishes the commands a bot can never handle to the
// poison exchange, each confirmed by the broker before Publish returns.
func NewPoisonPublisher(conn *wamqp.ConnectionWrapper, n Names, logger watermill.LoggerAdapter) (message.Publisher, error) {
	pub, err := wamqp.NewPublisherWithConnection(wamqp.Config{
		Marshaler: wamqp.DefaultMarshaler{},
		Exchange: wamqp.ExchangeConfig{
			GenerateName: func(string) string { return n.PoisonExchange() },
			Type:         amqp.ExchangeFanout,
			Durable:      true,
		},
		Publish: wamqp.PublishConfig{
			GenerateRoutingKey: func(string) string { return "" },
			ConfirmDelivery:    true,
		},
		TopologyBuilder: &wamqp.DefaultTopologyBuilder{},
	}, logger, conn)
	if err != nil {
		return nil, fmt.Errorf("poison publisher: %w", err)
	}
	return pub, nil
}
